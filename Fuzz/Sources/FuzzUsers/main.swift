// libFuzzer target `users`: the users import (JSON Lines), as `statusctl users import` reads it.
// Any line may be refused with its line number; nothing may crash, every line is either an
// update or an error (never both, never lost), and line numbers are in file order.
import CFuzzDriver
import StatusCore
import StatusEngine

let now = Timestamp(seconds: 1_790_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUsers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let (updates, errors) = UserImport.parse(jsonLines: bytes, at: now)
    let lines = updates.map(\.line) + errors.map(\.line)
    precondition(Set(lines).count == lines.count, "a line both applied and refused, or counted twice")
    precondition(updates.map(\.line) == updates.map(\.line).sorted(), "updates out of file order")
    precondition(errors.map(\.line) == errors.map(\.line).sorted(), "errors out of file order")
    let lineCount = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count
    precondition(lines.allSatisfy { $0 >= 1 && $0 <= lineCount }, "a line number past the end")
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver.
@_cdecl("FuzzUsers_main")
public func fuzzUsersMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    status_fuzz_main(argc, argv)
}
