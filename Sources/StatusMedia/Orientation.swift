/// The eight EXIF orientations: how the stored pixels must be turned to show upright.
public enum Orientation: Int, Sendable, Codable, CaseIterable {
    /// Stored upright.
    case up = 1
    /// Mirrored left to right.
    case upMirrored = 2
    /// Turned 180°.
    case down = 3
    /// Mirrored top to bottom.
    case downMirrored = 4
    /// Mirrored along the top-left to bottom-right diagonal (transpose).
    case leftMirrored = 5
    /// Must be turned 90° clockwise to show upright.
    case right = 6
    /// Mirrored along the other diagonal (transverse).
    case rightMirrored = 7
    /// Must be turned 90° counter-clockwise to show upright.
    case left = 8

    /// Whether showing the image upright swaps its width and height.
    public var swapsAxes: Bool { rawValue >= 5 }
}

extension RGBImage {
    /// The image as it is meant to be seen, given how it was stored.
    func applying(_ orientation: Orientation) -> RGBImage {
        if orientation == .up { return self }
        let w = width, h = height
        let outW = orientation.swapsAxes ? h : w
        let outH = orientation.swapsAxes ? w : h
        var out = RGBImage(width: outW, height: outH)
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                for dy in 0..<outH {
                    var di = dy * outW * 3
                    for dx in 0..<outW {
                        // Where the upright pixel (dx, dy) is in the stored image.
                        let sx: Int, sy: Int
                        switch orientation {
                        case .up: sx = dx; sy = dy
                        case .upMirrored: sx = w - 1 - dx; sy = dy
                        case .down: sx = w - 1 - dx; sy = h - 1 - dy
                        case .downMirrored: sx = dx; sy = h - 1 - dy
                        case .leftMirrored: sx = dy; sy = dx
                        case .right: sx = dy; sy = h - 1 - dx
                        case .rightMirrored: sx = w - 1 - dy; sy = h - 1 - dx
                        case .left: sx = w - 1 - dy; sy = dx
                        }
                        let si = (sy * w + sx) * 3
                        d[di] = s[si]; d[di + 1] = s[si + 1]; d[di + 2] = s[si + 2]
                        di += 3
                    }
                }
            }
        }
        return out
    }
}
