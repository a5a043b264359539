// The entry point of every fuzz target: libFuzzer's driver over the target's
// LLVMFuzzerTestOneInput.
#ifndef STATUS_FUZZ_DRIVER_H
#define STATUS_FUZZ_DRIVER_H

/// Runs libFuzzer with the process's arguments (LLVMFuzzerRunDriver).
int status_fuzz_main(int argc, char **argv);

#endif
