import CFFmpeg
import CPNG
import CTurboJPEG

/// Versions of the C libraries the media module runs on, as linked at run time.
public enum LinkedLibraries {
    /// `name → version`, e.g. `["libpng": "1.6.39", "libavformat": "59.27.100", ...]`.
    public static var versions: [String: String] {
        func dotted(_ v: UInt32) -> String { "\(v >> 16).\((v >> 8) & 0xFF).\(v & 0xFF)" }
        let png = png_access_version_number()
        return [
            "libpng": "\(png / 10000).\(png / 100 % 100).\(png % 100)",
            "libavformat": dotted(avformat_version()),
            "libavcodec": dotted(avcodec_version()),
            "libavutil": dotted(avutil_version()),
            "libswscale": dotted(swscale_version()),
        ]
    }
}
