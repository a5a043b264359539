import Foundation

/// Separable Lanczos-3 resampling in fixed point, the filter widened by the reduction factor so
/// that downscaling averages every source pixel (no aliasing, no nearest-neighbour skipping).
enum Resampler {
    private static let precisionBits: Int32 = 20
    private static let half: Int32 = 1 << (precisionBits - 1)

    /// Per-output-sample filter taps over one axis.
    struct Coefficients {
        var starts: [Int]
        var counts: [Int]
        /// `outSize * stride` weights scaled by 2^precisionBits.
        var weights: [Int32]
        var stride: Int
    }

    static func lanczos3(_ x: Double) -> Double {
        let ax = abs(x)
        if ax < 1e-9 { return 1 }
        if ax >= 3 { return 0 }
        let px = Double.pi * x
        return 3 * sin(px) * sin(px / 3) / (px * px)
    }

    static func coefficients(inSize: Int, outSize: Int) -> Coefficients {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = 3 * filterScale
        let stride = Int(support.rounded(.up)) * 2 + 2
        var starts = [Int](repeating: 0, count: outSize)
        var counts = [Int](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * stride)
        var scratch = [Double](repeating: 0, count: stride)
        for o in 0..<outSize {
            let centre = (Double(o) + 0.5) * scale
            let lo = max(0, Int((centre - support + 0.5).rounded(.down)))
            let hi = min(inSize, Int((centre + support + 0.5).rounded(.down)))
            let n = min(max(hi - lo, 1), stride)
            var total = 0.0
            for k in 0..<n {
                let w = lanczos3((Double(lo + k) - centre + 0.5) / filterScale)
                scratch[k] = w
                total += w
            }
            if total == 0 { total = 1 }
            starts[o] = min(lo, inSize - 1)
            counts[o] = n
            for k in 0..<n {
                weights[o * stride + k] = Int32((scratch[k] / total * Double(1 << precisionBits)).rounded())
            }
        }
        return Coefficients(starts: starts, counts: counts, weights: weights, stride: stride)
    }

    /// `image` resampled to exactly `width`×`height`.
    static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        precondition(width > 0 && height > 0)
        if width == image.width && height == image.height { return image }
        var current = image
        if height != current.height { current = resizeVertically(current, height: height) }
        if width != current.width { current = resizeHorizontally(current, width: width) }
        return current
    }

    @inline(__always)
    private static func clamp(_ v: Int32) -> UInt8 {
        let s = v >> precisionBits
        return s < 0 ? 0 : (s > 255 ? 255 : UInt8(truncatingIfNeeded: s))
    }

    /// Runs `body` over row ranges, split across the cores when the work is large enough to
    /// repay it (a 1080p frame is; a thumbnail is not).
    private static func parallelRows(_ rows: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard cores > 1, work >= 4_000_000, rows >= 64 else {
            body(0..<rows)
            return
        }
        let chunks = min(cores * 2, rows / 16)
        // Safe to share: every chunk reads the shared source and writes only its own rows.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: chunks) { i in
            body((rows * i / chunks)..<(rows * (i + 1) / chunks))
        }
    }

    private static func resizeHorizontally(_ image: RGBImage, width outW: Int) -> RGBImage {
        let c = coefficients(inSize: image.width, outSize: outW)
        let inW = image.width, h = image.height
        var out = RGBImage(width: outW, height: h)
        image.pixels.withUnsafeBufferPointer { srcBuf in
            out.pixels.withUnsafeMutableBufferPointer { dstBuf in
                c.weights.withUnsafeBufferPointer { wBuf in
                    let src = srcBuf.baseAddress!, dst = dstBuf.baseAddress!, weights = wBuf.baseAddress!
                    parallelRows(h, work: outW * h * c.stride) { rows in
                    for y in rows {
                        let row = src + y &* inW &* 3
                        var d = dst + y &* outW &* 3
                        for ox in 0..<outW {
                            var p = row + c.starts[ox] &* 3
                            let w = weights + ox &* c.stride
                            var r = half, g = half, b = half
                            for k in 0..<c.counts[ox] {
                                let wt = w[k]
                                r &+= Int32(p[0]) &* wt
                                g &+= Int32(p[1]) &* wt
                                b &+= Int32(p[2]) &* wt
                                p += 3
                            }
                            d[0] = clamp(r); d[1] = clamp(g); d[2] = clamp(b)
                            d += 3
                        }
                    }
                    }
                }
            }
        }
        return out
    }

    private static func resizeVertically(_ image: RGBImage, height outH: Int) -> RGBImage {
        let c = coefficients(inSize: image.height, outSize: outH)
        let rowBytes = image.width * 3
        var out = RGBImage(width: image.width, height: outH)
        image.pixels.withUnsafeBufferPointer { srcBuf in
            out.pixels.withUnsafeMutableBufferPointer { dstBuf in
                let src = srcBuf.baseAddress!, dst = dstBuf.baseAddress!
                parallelRows(outH, work: rowBytes * outH * c.stride) { rows in
                    let a = UnsafeMutablePointer<Int32>.allocate(capacity: rowBytes)
                    defer { a.deallocate() }
                    for oy in rows {
                        for i in 0..<rowBytes { a[i] = half }
                        let base = oy &* c.stride
                        for k in 0..<c.counts[oy] {
                            let wt = c.weights[base &+ k]
                            let row = src + (c.starts[oy] &+ k) &* rowBytes
                            for i in 0..<rowBytes { a[i] &+= Int32(row[i]) &* wt }
                        }
                        let d = dst + oy &* rowBytes
                        for i in 0..<rowBytes { d[i] = clamp(a[i]) }
                    }
                }
            }
        }
        return out
    }
}
