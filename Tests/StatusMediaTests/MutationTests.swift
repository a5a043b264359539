import Foundation
import Testing
@testable import StatusMedia

/// Damaged copies of every valid fixture (bytes overwritten, runs of garbage, insertions,
/// truncations), made from a fixed seed: each is accepted or refused with a typed error, never
/// a crash or a hang. A short, deterministic version of what a fuzzer does.
@Suite struct MutationTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static func mutants(of bytes: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
        var g = Generator(state: seed)
        return (0..<count).map { _ in
            var b = bytes
            switch g.below(4) {
            case 0:
                for _ in 0...g.below(16) { b[g.below(b.count)] = UInt8(truncatingIfNeeded: g.next()) }
            case 1:
                let start = g.below(b.count), end = min(b.count, start + 1 + g.below(256))
                for i in start..<end { b[i] = UInt8(truncatingIfNeeded: g.next()) }
            case 2:
                b.insert(contentsOf: [UInt8](repeating: 0xFF, count: 1 + g.below(32)), at: g.below(b.count))
            default:
                b = Array(b.prefix(1 + g.below(b.count)))
            }
            return b
        }
    }

    static let sources: [URL] = {
        let images = (try? FileManager.default.contentsOfDirectory(at: fixturesDirectory, includingPropertiesForKeys: nil)) ?? []
        let videos = (try? FileManager.default.contentsOfDirectory(at: videoFixtures, includingPropertiesForKeys: nil)) ?? []
        return (images + videos)
            .filter { ["jpg", "png", "mp4", "mov", "webm", "mkv", "gif"].contains($0.pathExtension) }
            .filter { !$0.lastPathComponent.hasPrefix("bomb-") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }()

    @Test(arguments: sources)
    func damagedCopiesGetTypedAnswers(_ url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard !bytes.isEmpty else { return }
        let processor = MediaProcessor()
        for (i, mutant) in Self.mutants(of: bytes, count: 12, seed: UInt64(bytes.count)).enumerated() {
            do {
                let rendered = try processor.render(mutant)
                #expect(rendered.display.width > 0 && rendered.thumb.width > 0)
            } catch let error as MediaError {
                #expect(!error.message.isEmpty, "\(url.lastPathComponent) #\(i)")
            } catch {
                Issue.record("\(url.lastPathComponent) #\(i): untyped error \(error)")
            }
        }
    }
}
