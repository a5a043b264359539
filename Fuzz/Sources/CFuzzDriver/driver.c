// SwiftPM links a debug executable with its entry point renamed to `<module>_main` (so that
// tests can link the module), which leaves no room for libFuzzer's own `main`. Each target
// defines `<module>_main` instead and calls this, which starts libFuzzer the documented way for
// a program with a main of its own.
#include <stddef.h>
#include <stdint.h>
#include "CFuzzDriver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int status_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
