/// Paths of files named relative to a folder: a creative's media in an ad manifest, and the file
/// name of a part in an upload that carries such media. One rule for both, so that a manifest
/// loaded from a folder and the same manifest uploaded over HTTP accept the same names.
public enum RelativePath {
    /// Whether `path` is relative and made of plain names: no leading `/`, no empty component,
    /// no component starting with `.` (so no `.`, no `..`, no hidden files), no backslash or
    /// control character; at most 1,024 bytes, each component at most 255. Such a path cannot
    /// climb out of its folder: `b/../c` is refused although it spells a file inside, because the
    /// system resolves `b/..` through `b`'s target when `b` is a symbolic link.
    ///
    /// ```swift
    /// RelativePath.isPlain("media/latte.jpg")  // true
    /// RelativePath.isPlain("b/../latte.jpg")   // false
    /// ```
    public static func isPlain(_ path: String) -> Bool {
        guard !path.isEmpty, path.utf8.count <= 1_024 else { return false }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .allSatisfy { !$0.isEmpty && !$0.hasPrefix(".") && $0.utf8.count <= 255 }
    }
}
