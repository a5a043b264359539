import CLCMS2
import Foundation

/// Converts pixels described by an embedded ICC profile (Display P3, Adobe RGB, a press CMYK
/// profile, …) to sRGB with Little CMS. Untagged images and sRGB-tagged ones are left as they
/// are. A profile that cannot be parsed, or that does not match the pixels' colour model, is
/// ignored rather than refusing the picture: the pixels are still valid.
enum ColourManagement {
    /// The colour model of the pixels handed to a transform.
    enum Input: Hashable {
        case rgb
        /// CMYK bytes; `inverted` for Adobe-style files (255 means no ink).
        case cmyk(inverted: Bool)
    }

    private struct Key: Hashable {
        var profile: [UInt8]
        var input: Input
    }

    private static let cache = TransformCache()

    /// A transform from `profile` to sRGB for `input` pixels, or `nil` when none is needed or possible.
    static func transform(profile: [UInt8], input: Input) -> ColourTransform? {
        let key = Key(profile: profile, input: input)
        if let cached = cache.lookup(key) { return cached.transform }
        let made = ColourTransform.make(profile: profile, input: input)
        cache.store(key, made)
        return made
    }

    /// Remembers the last few transforms (with "none needed" answers), keyed by profile bytes:
    /// photos from one camera or phone share a profile, and building a transform costs more
    /// than applying it to a thumbnail.
    private final class TransformCache: @unchecked Sendable {
        // @unchecked Sendable: `entries` is only touched while holding `lock`.
        struct Entry { var transform: ColourTransform? }
        private let lock = NSLock()
        private var entries: [(Key, Entry)] = []
        private let capacity = 8

        func lookup(_ key: Key) -> Entry? {
            lock.lock(); defer { lock.unlock() }
            guard let i = entries.firstIndex(where: { $0.0 == key }) else { return nil }
            let entry = entries.remove(at: i)
            entries.append(entry)
            return entry.1
        }

        func store(_ key: Key, _ transform: ColourTransform?) {
            lock.lock(); defer { lock.unlock() }
            entries.removeAll { $0.0 == key }
            entries.append((key, Entry(transform: transform)))
            if entries.count > capacity { entries.removeFirst() }
        }
    }
}

/// The one owner of a Little CMS transform to 8-bit sRGB; deleted in `deinit`.
final class ColourTransform: @unchecked Sendable {
    // @unchecked Sendable: the handle is immutable after creation and the transform is built with
    // cmsFLAGS_NOCACHE, which makes cmsDoTransform safe to call from several threads at once.
    private let handle: cmsHTRANSFORM
    let input: ColourManagement.Input

    private init(handle: cmsHTRANSFORM, input: ColourManagement.Input) {
        self.handle = handle
        self.input = input
    }

    deinit { cmsDeleteTransform(handle) }

    static func make(profile bytes: [UInt8], input: ColourManagement.Input) -> ColourTransform? {
        guard !bytes.isEmpty, bytes.count < Int(UInt32.max) else { return nil }
        guard let source = bytes.withUnsafeBytes({ cmsOpenProfileFromMem($0.baseAddress, cmsUInt32Number($0.count)) }) else {
            return nil
        }
        defer { cmsCloseProfile(source) }
        let space = cmsGetColorSpace(source)
        let format: cmsUInt32Number
        switch input {
        case .rgb:
            guard space == cmsSigRgbData else { return nil }
            if isSRGB(source) { return nil }
            format = status_cms_type_rgb_8()
        case .cmyk(let inverted):
            guard space == cmsSigCmykData else { return nil }
            format = inverted ? status_cms_type_cmyk_8_rev() : status_cms_type_cmyk_8()
        }
        guard let srgb = cmsCreate_sRGBProfile() else { return nil }
        defer { cmsCloseProfile(srgb) }
        guard let transform = cmsCreateTransform(source, format, srgb, status_cms_type_rgb_8(),
                                                 status_cms_intent_perceptual(), status_cms_flags_nocache())
        else { return nil }
        return ColourTransform(handle: transform, input: input)
    }

    private static func isSRGB(_ profile: cmsHPROFILE) -> Bool {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = cmsGetProfileInfoASCII(profile, cmsInfoDescription, "en", "US", &buffer, cmsUInt32Number(buffer.count))
        guard n > 0 else { return false }
        let description = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return description.lowercased().contains("srgb")
    }

    /// Converts RGB pixels in place.
    func apply(to image: inout RGBImage) {
        precondition(input == .rgb)
        let count = image.width * image.height
        image.pixels.withUnsafeMutableBytes { raw in
            cmsDoTransform(handle, raw.baseAddress, raw.baseAddress, cmsUInt32Number(count))
        }
    }

    /// Converts CMYK pixels (4 bytes each) to a new RGB image.
    func convert(cmyk: [UInt8], width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        cmyk.withUnsafeBytes { src in
            image.pixels.withUnsafeMutableBytes { dst in
                cmsDoTransform(handle, src.baseAddress, dst.baseAddress, cmsUInt32Number(width * height))
            }
        }
        return image
    }
}
