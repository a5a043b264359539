// Benchmarks for the SQLite store (StatusStore) and the engine's publish path.
//
//   cd Benchmarks && swift package benchmark --target StoreBenchmarks          (all, ~10 min)
//   cd Benchmarks && swift package benchmark --target StoreBenchmarks --filter 'publish.*'
//   cd Benchmarks && swift package benchmark --target StoreBenchmarks --filter 'purge.*'
//
// Publish: one text post per call, in the product's durable default (SQLite `synchronous=FULL`,
// every blob file fsynced and its directory fsynced), each call with a distinct text so that no
// two posts share a file:
//   - "engine": `Engine.publishText` — validation, Pango/Cairo render of both pictures, store;
//   - "store only": `SQLiteStatusStore.publish` with pictures rendered beforehand (at setup).
//
// Purge: one measured iteration (seeding takes minutes). 100,000 image posts, each with three
// distinct files (original 10–20 KB, display 4–10 KB, thumb 2–4 KB: 300,000 files, ~2.6 GB) and
// created two days before the purge time, plus 100 live posts, are seeded through the store's
// public API (`durableFiles: false`, `synchronous: .normal`, two publishers). Then, with the
// store reopened in the default configuration:
//   1. reference: a reader alone, `store.post(id)` of the live posts in a tight loop, 5 s;
//   2. floor: the same reader while 8 threads (as the purge) unlink 300,000 plain files of the same sizes and
//      the same two-level layout, with no database;
//   3. the purge, `store.purge(at:batchSize: 1000, dryRun: false, progress: nil)`, with the
//      same reader running. Only this step is inside start/stopMeasurement (the wall clock).
// Dirty pages are written back (`sync`) before each step. Every read's latency is kept; the custom
// metrics hold them in nanoseconds (only reads that overlap the step's window), and a JSON
// summary (rates, p50/p90/p99/p99.9/max, reads over 10 ms) goes to standard error and, when
// STORE_BENCH_JSON names a file, is appended to it.
//
// Environment: STORE_BENCH_POSTS (default 100000) expired posts to seed; STORE_BENCH_DIR
// (default the temporary directory) where the scratch data directory is made (and removed);
// STORE_BENCH_READER=0 leaves the reader out of the floor and the purge, STORE_BENCH_WRITER=1
// adds a writer probe during the purge (both diagnostics).

import Benchmark
import Foundation
import StatusCore
import StatusEngine
import StatusMedia
import StatusStore
#if canImport(Glibc)
import Glibc
#endif

let benchmarks: @Sendable () -> Void = {
    // MARK: Publish

    let publishMetrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, .peakMemoryResident]

    Benchmark(
        "publish text post: engine (render + store, fsync)",
        configuration: .init(metrics: publishMetrics, warmupIterations: 3, maxDuration: .seconds(40), maxIterations: 150)
    ) { benchmark, fixture in
        for _ in benchmark.scaledIterations {
            let n = fixture.counter.next()
            blackHole(try await fixture.engine.publishText(author: fixture.author, text: PublishTexts.text(n),
                                                           background: "#128C7E", font: 3, at: fixture.now))
        }
    } setup: {
        try await EngineFixture.make()
    } teardown: {
        Scratch.shared.removeAll()
    }

    let storeOnlyIterations = 400
    Benchmark(
        "publish text post: store only (pre-rendered, fsync)",
        configuration: .init(metrics: publishMetrics, warmupIterations: 3, maxDuration: .seconds(40),
                             maxIterations: storeOnlyIterations)
    ) { benchmark, fixture in
        for _ in benchmark.scaledIterations {
            guard let post = fixture.next() else {
                benchmark.error("ran out of pre-rendered posts")
                return
            }
            blackHole(try await fixture.store.publish(post))
        }
    } setup: {
        try await StoreFixture.make(posts: storeOnlyIterations + 3)
    } teardown: {
        Scratch.shared.removeAll()
    }

    // MARK: Purge

    Benchmark(
        "purge 100k expired image posts (300k files), reader running",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident] + PurgeMetrics.all,
            units: Dictionary(uniqueKeysWithValues: PurgeMetrics.all.map { ($0, BenchmarkUnits.count) }),
            warmupIterations: 0,
            maxDuration: .seconds(3_600),
            maxIterations: 1
        )
    ) { benchmark in
        do {
            try await PurgeExperiment(posts: Environment.int("STORE_BENCH_POSTS") ?? 100_000).run(benchmark)
        } catch {
            benchmark.error("purge benchmark failed: \(error)")
        }
        Scratch.shared.removeAll()
    }
}

// MARK: - Publish fixtures

enum PublishTexts {
    /// The short Arabic post of MediaBenchmarks' text benchmark, made distinct by a number.
    static func text(_ n: Int) -> String { "صباح الخير يا أصدقاء ☀️ \(n)" }
}

final class Counter: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

struct EngineFixture: Sendable {
    let engine: Engine
    let author = UserID("bench-author")
    let now = Timestamp.now()
    let counter = Counter()

    static func make() async throws -> EngineFixture {
        let directory = try Scratch.shared.make("publish-engine")
        let engine = try Engine.open(dataDirectory: directory, configuration: .default)
        let fixture = EngineFixture(engine: engine)
        try await engine.store.upsertUsers([UserUpdate(id: fixture.author)])
        // Load fontconfig's cache and Pango's fonts before the first measured call.
        _ = try await engine.publishText(author: fixture.author, text: PublishTexts.text(0), background: "#128C7E",
                                         font: 3, at: fixture.now)
        return fixture
    }
}

final class StoreFixture: @unchecked Sendable {
    // @unchecked: `posts` is immutable; `next` is under `lock`.
    let store: SQLiteStatusStore
    private let posts: [NewPost]
    private let lock = NSLock()
    private var position = 0

    init(store: SQLiteStatusStore, posts: [NewPost]) {
        self.store = store
        self.posts = posts
    }

    func next() -> NewPost? {
        lock.lock()
        defer { lock.unlock() }
        guard position < posts.count else { return nil }
        position += 1
        return posts[position - 1]
    }

    /// Renders `count` distinct text posts (as `Engine.publishText` would) before any is stored.
    static func make(posts count: Int) async throws -> StoreFixture {
        let directory = try Scratch.shared.make("publish-store")
        let store = try SQLiteStatusStore(directory: directory) // the product's defaults: durable
        let author = UserID("bench-author")
        try await store.upsertUsers([UserUpdate(id: author)])
        let configuration = MediaConfiguration.default
        let renderer = TextRenderer(configuration: configuration)
        var generator = SplitMix64(seed: 0x5707_E5)
        let now = Timestamp.now()
        var posts: [NewPost] = []
        posts.reserveCapacity(count)
        for n in 1...count {
            let validated = try configuration.validateTextPost(text: PublishTexts.text(n), background: "#128C7E", font: 3)
            let rendered = try renderer.render(validated).0
            let files = [(BlobRole.display, rendered.display), (.thumb, rendered.thumb)].map { role, rendition in
                BlobUpload(role: role, contentType: rendition.format == .jpeg ? "image/jpeg" : "image/png",
                           content: .bytes(rendition.bytes), width: rendition.width, height: rendition.height)
            }
            posts.append(NewPost(id: PostID(using: &generator), author: author, kind: .text, createdAt: now,
                                 text: TextContent(text: validated.text, background: validated.background.hex,
                                                   font: validated.font),
                                 files: files))
        }
        return StoreFixture(store: store, posts: posts)
    }
}

// MARK: - Purge

enum PurgeMetrics {
    static let postsPerSecond = BenchmarkMetric.custom("purge: posts/s", polarity: .prefersLarger, useScalingFactor: false)
    static let filesPerSecond = BenchmarkMetric.custom("purge: files/s", polarity: .prefersLarger, useScalingFactor: false)
    static let floorFilesPerSecond = BenchmarkMetric.custom("floor (plain unlink, no database): files/s",
                                                            polarity: .prefersLarger, useScalingFactor: false)
    static let purgeOverFloor = BenchmarkMetric.custom("purge time / floor time (x100)", useScalingFactor: false)
    static let readerIdle = BenchmarkMetric.custom("reader alone: read latency (ns)", useScalingFactor: false)
    static let readerFloor = BenchmarkMetric.custom("reader during plain unlinks: read latency (ns)", useScalingFactor: false)
    static let readerPurge = BenchmarkMetric.custom("reader during purge: read latency (ns)", useScalingFactor: false)

    static let all = [postsPerSecond, filesPerSecond, floorFilesPerSecond, purgeOverFloor, readerIdle, readerFloor, readerPurge]
}

struct PurgeExperiment {
    /// Expired image posts to seed (three files each).
    var posts: Int
    var liveposts = 100
    var authors = 1_000
    /// The purge's `now`: 2026-11-26T10:13:20Z. Expired posts were created two days before.
    let now = Timestamp(seconds: 1_795_601_600)
    /// STORE_BENCH_READER=0 runs the floor and the purge without the reader (a diagnostic: what
    /// the reader's CPU costs the purge on two cores).
    let withReader = Environment.int("STORE_BENCH_READER") != 0
    /// STORE_BENCH_WRITER=1 adds a writer probe (a mute set or cleared every 50 ms, each an fsynced
    /// commit) alone for 3 s and then during the purge: how long a writer waits for the purge's
    /// write transactions (a diagnostic, off by default as its fsyncs disturb the figures).
    let withWriter = Environment.int("STORE_BENCH_WRITER") == 1

    func run(_ benchmark: Benchmark) async throws {
        let root = try Scratch.shared.make("purge")
        let dataDirectory = root + "/data"
        let floorDirectory = root + "/floor"
        var report: [String: Any] = [
            "benchmark": "purge", "expired_posts": posts, "files_per_post": 3, "live_posts": liveposts,
            "batch": StoreConfiguration.default.purgeBatchSize, "date": Timestamp.now().iso8601,
        ]

        // Seed through the public API, fast settings.
        var started = Monotonic.nanoseconds()
        let (liveIDs, seededBytes) = try await seed(dataDirectory)
        report["seed_s"] = Monotonic.seconds(since: started)
        report["seeded_bytes"] = seededBytes
        log("seeded \(posts) expired + \(liveposts) live posts (\(seededBytes / 1_000_000) MB) in \(report["seed_s"]!) s")

        started = Monotonic.nanoseconds()
        let floorPaths = try makeFloorFiles(floorDirectory)
        log("made \(floorPaths.count) plain files for the floor in \(Monotonic.seconds(since: started)) s")
        started = Monotonic.nanoseconds()
        sync()
        log("sync: \(Monotonic.seconds(since: started)) s")

        // The store as the product opens it.
        let store = try SQLiteStatusStore(directory: dataDirectory)
        let preview = try await store.purge(at: now, batchSize: StoreConfiguration.default.purgeBatchSize, dryRun: true, progress: nil)
        guard preview.posts == posts, preview.files == 3 * posts else {
            throw BenchError("dry run found \(preview.posts) posts and \(preview.files) files, expected \(posts) and \(3 * posts)")
        }
        let reader = Reader(store: store, ids: liveIDs)
        _ = try await reader.measure { try await Task.sleep(for: .milliseconds(500)) } // warm the connections

        // 1. Reference: the reader alone.
        let idle = try await reader.measure { try await Task.sleep(for: .seconds(5)) }
        log("reader alone: \(idle.stats.summary)")

        // 2. Floor: plain unlinks, same count, sizes and layout, no database; the reader running.
        sync()
        let floor = try await reader.measure(enabled: withReader) {
            try await OnThread.run { () throws -> Int in
                // The same parallelism as the purge's trash emptying (8 threads), so that the
                // floor is what the disk allows, not what one thread allows.
                let lanes = 8
                let failed = ManagedFlag()
                DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                    var index = lane
                    while index < floorPaths.count {
                        if unlink(floorPaths[index]) != 0 { failed.set() }
                        index += lanes
                    }
                }
                if failed.isSet { throw BenchError("cannot unlink a floor file") }
                return floorPaths.count
            }
        }
        // What making those unlinks durable costs (the purge's last commit, an fsync with
        // synchronous=FULL, makes ext4 commit its journal and with it the purge's unlinks).
        started = Monotonic.nanoseconds()
        sync() // nothing else is dirty: everything was synced before the step
        let floorSync = Double(Monotonic.nanoseconds() - started) / 1e9
        log("floor: \(floor.value) files unlinked in \(floor.seconds) s, then sync \(floorSync) s; reader: \(floor.stats.summary)")

        // Diagnostic (STORE_BENCH_WRITER=1): a small write every 50 ms, alone and during the purge.
        let writer = withWriter ? WriterProbe(store: store, viewer: UserID("author-0"), author: UserID("author-1")) : nil
        var writerAlone: LatencyStats?
        if let writer {
            let (latencies, seconds) = try await writer.measure { try await Task.sleep(for: .seconds(3)) }
            writerAlone = LatencyStats(latencies, seconds: seconds)
            log("writer alone: \(writerAlone!.summary)")
            sync()
        }

        // 3. The purge, with the reader running.
        sync()
        let writerTask = writer.map { writer in Task { try await writer.measure { try await writer.stop.wait() } } }
        benchmark.startMeasurement()
        let purge = try await reader.measure(enabled: withReader) {
            try await store.purge(at: now, batchSize: StoreConfiguration.default.purgeBatchSize, dryRun: false, progress: nil)
        }
        benchmark.stopMeasurement()
        writer?.stop.set()
        if let writerTask {
            let (latencies, seconds) = try await writerTask.value
            let stats = LatencyStats(latencies, seconds: seconds)
            report["writer_alone"] = writerAlone?.json
            report["writer_during_purge"] = stats.json
            log("writer during purge: \(stats.summary)")
        }
        log("purge: \(purge.value.posts) posts, \(purge.value.files) files in \(purge.seconds) s; reader: \(purge.stats.summary)")
        guard purge.value.posts == posts, purge.value.files == 3 * posts else {
            throw BenchError("purge removed \(purge.value.posts) posts and \(purge.value.files) files, expected \(posts) and \(3 * posts)")
        }

        // Afterwards: the reader alone again (the WAL the purge left behind), and what is left.
        let after = try await reader.measure { try await Task.sleep(for: .seconds(2)) }
        let remaining = try countFiles(under: dataDirectory + "/blobs")
        guard remaining == 3 * liveposts else {
            throw BenchError("\(remaining) blob files left after the purge, expected \(3 * liveposts)")
        }
        let wal = (try? FileManager.default.attributesOfItem(atPath: dataDirectory + "/status.sqlite-wal")[.size] as? Int) ?? 0

        let postsPerSecond = Double(posts) / purge.seconds
        let filesPerSecond = Double(purge.value.files) / purge.seconds
        let floorPerSecond = Double(floor.value) / floor.seconds
        benchmark.measurement(PurgeMetrics.postsPerSecond, Int(postsPerSecond.rounded()))
        benchmark.measurement(PurgeMetrics.filesPerSecond, Int(filesPerSecond.rounded()))
        benchmark.measurement(PurgeMetrics.floorFilesPerSecond, Int(floorPerSecond.rounded()))
        benchmark.measurement(PurgeMetrics.purgeOverFloor, Int((purge.seconds / floor.seconds * 100).rounded()))
        for value in idle.latencies { benchmark.measurement(PurgeMetrics.readerIdle, Int(value)) }
        for value in floor.latencies { benchmark.measurement(PurgeMetrics.readerFloor, Int(value)) }
        for value in purge.latencies { benchmark.measurement(PurgeMetrics.readerPurge, Int(value)) }

        report["purge"] = [
            "seconds": purge.seconds, "posts": purge.value.posts, "files": purge.value.files, "bytes": purge.value.bytes,
            "posts_per_s": postsPerSecond, "files_per_s": filesPerSecond, "wal_bytes_after": wal,
        ]
        report["floor"] = ["seconds": floor.seconds, "files": floor.value, "files_per_s": floorPerSecond,
                           "sync_after_s": floorSync]
        report["purge_over_floor"] = purge.seconds / floor.seconds
        report["purge_over_floor_with_sync"] = purge.seconds / (floor.seconds + floorSync)
        report["reader_during_floor_and_purge"] = withReader
        report["reader_alone"] = idle.stats.json
        report["reader_during_floor"] = floor.stats.json
        report["reader_during_purge"] = purge.stats.json
        report["reader_alone_after_purge"] = after.stats.json
        report["targets"] = [
            "purge_posts_per_s_at_least_10000": postsPerSecond >= 10_000,
            "reader_max_wait_during_purge_at_most_10ms": purge.stats.max <= 10_000_000,
        ]
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        let line = String(decoding: json, as: UTF8.self)
        log("summary " + line)
        if let path = ProcessInfo.processInfo.environment["STORE_BENCH_JSON"], !path.isEmpty {
            let handle = FileHandle(forWritingAtPath: path) ?? {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                return FileHandle(forWritingAtPath: path)!
            }()
            handle.seekToEndOfFile()
            handle.write(Data((line + "\n").utf8))
            try handle.close()
        }
    }

    /// Sizes of the three files of seeded post `i` (roles original, display, thumb), 2–20 KB.
    static func sizes(_ i: Int) -> [Int] {
        var generator = SplitMix64(seed: UInt64(i) &* 0x9E37_79B9 &+ 17)
        return [10_240 + Int(generator.next() % 10_241), 4_096 + Int(generator.next() % 6_145),
                2_048 + Int(generator.next() % 2_049)]
    }

    /// 20 KB of random bytes; each file is a prefix with its post and role written over the start,
    /// so every file is distinct (no sharing) and making one costs a copy.
    static let noise: [UInt8] = {
        var generator = SplitMix64(seed: 0xB10B)
        return (0..<(20_480 / 8)).flatMap { _ in withUnsafeBytes(of: generator.next()) { Array($0) } }
    }()

    static func content(post i: Int, role: Int, size: Int) -> [UInt8] {
        var bytes = Array(noise[0..<size])
        withUnsafeBytes(of: UInt64(i).littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        withUnsafeBytes(of: UInt64(role).littleEndian) { bytes.replaceSubrange(8..<16, with: $0) }
        return bytes
    }

    static func imagePost(_ i: Int, id: PostID, author: UserID, createdAt: Timestamp) -> NewPost {
        let sizes = Self.sizes(i)
        let files = [
            BlobUpload(role: .original, contentType: "image/jpeg", content: .bytes(content(post: i, role: 0, size: sizes[0]))),
            BlobUpload(role: .display, contentType: "image/jpeg", content: .bytes(content(post: i, role: 1, size: sizes[1])),
                       width: 1080, height: 810),
            BlobUpload(role: .thumb, contentType: "image/jpeg", content: .bytes(content(post: i, role: 2, size: sizes[2])),
                       width: 320, height: 240),
        ]
        return NewPost(id: id, author: author, kind: .image, createdAt: createdAt,
                       media: MediaSummary(format: "jpeg", width: 4000, height: 3000), files: files)
    }

    /// Seeds with two publishers; returns the live posts' ids and the bytes stored.
    func seed(_ directory: String) async throws -> (live: [PostID], bytes: Int64) {
        let store = try SQLiteStatusStore(directory: directory, configuration: StoreConfiguration(synchronous: .normal),
                                          durableFiles: false)
        let authors = (0..<self.authors).map { UserID("author-\($0)") }
        try await store.upsertUsers(authors.map { UserUpdate(id: $0) })
        let posts = self.posts, liveposts = self.liveposts, now = self.now
        let started = Monotonic.nanoseconds()
        let publishers = 2
        let seeded = try await withThrowingTaskGroup(of: (Int64, [PostID]).self) { group in
            for worker in 0..<publishers {
                group.addTask {
                    var generator = SplitMix64(seed: 0xEE_0000 + UInt64(worker))
                    var bytes: Int64 = 0
                    var live: [PostID] = []
                    for i in stride(from: worker, to: posts + liveposts, by: publishers) {
                        let isLive = i >= posts
                        // Expired: created two days before `now` (spread over an hour). Live: an hour ago.
                        let createdAt = isLive ? now + -3_600 : now + (-2 * 86_400 + Int64(i % 3_600))
                        let post = try await store.publish(Self.imagePost(i, id: PostID(using: &generator),
                                                                          author: authors[i % authors.count],
                                                                          createdAt: createdAt))
                        bytes += post.blobs.reduce(0) { $0 + $1.bytes }
                        if isLive { live.append(post.id) }
                        if worker == 0, i % 10_000 == 0, i > 0 {
                            log("seeding: \(i) posts in \(Monotonic.seconds(since: started)) s")
                        }
                    }
                    return (bytes, live)
                }
            }
            var total: Int64 = 0
            var live: [PostID] = []
            for try await (bytes, ids) in group {
                total += bytes
                live += ids
            }
            return (total, live)
        }
        return (seeded.1, seeded.0)
    }

    /// The floor's files: as many as the purge unlinks, the same sizes, in the same layout
    /// (`xx/<64 hex digits>`, 256 directories).
    func makeFloorFiles(_ directory: String) throws -> [String] {
        var generator = SplitMix64(seed: 0xF1_00F)
        var paths: [String] = []
        paths.reserveCapacity(posts * 3)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for shard in 0..<256 {
            let name = directory + "/" + String(format: "%02x", shard)
            guard mkdir(name, 0o755) == 0 else { throw BenchError("cannot create \(name)") }
        }
        for i in 0..<posts {
            for (role, size) in Self.sizes(i).enumerated() {
                var digest: [UInt8] = []
                for _ in 0..<4 { withUnsafeBytes(of: generator.next()) { digest += $0 } }
                let id = BlobID(digest: digest).rawValue
                let path = directory + "/" + id.prefix(2) + "/" + id
                let bytes = Self.content(post: i, role: role, size: size)
                let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw BenchError("cannot create \(path): \(String(cString: strerror(errno)))") }
                let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                guard written == bytes.count else { throw BenchError("short write to \(path)") }
                paths.append(path)
            }
        }
        return paths
    }

    func countFiles(under root: String) throws -> Int {
        var count = 0
        for shard in try FileManager.default.contentsOfDirectory(atPath: root) where shard.count == 2 {
            count += try FileManager.default.contentsOfDirectory(atPath: root + "/" + shard).count
        }
        return count
    }
}

// MARK: - The concurrent reader

/// `store.post(id)` of the live posts, one after another, as fast as it goes, while `body` runs.
struct Reader: Sendable {
    let store: SQLiteStatusStore
    let ids: [PostID]

    struct Measured<T> {
        var value: T
        /// `body`'s wall time.
        var seconds: Double
        /// Latencies (ns) of the reads that overlapped `body`'s run.
        var latencies: [UInt64]
        var stats: LatencyStats
    }

    func measure<T: Sendable>(enabled: Bool = true, _ body: () async throws -> T) async throws -> Measured<T> {
        let stop = StopFlag()
        if !enabled { stop.set() }
        let store = self.store, ids = self.ids
        let task = Task.detached { () throws -> [(start: UInt64, end: UInt64)] in
            var reads: [(start: UInt64, end: UInt64)] = []
            reads.reserveCapacity(1 << 20)
            var i = 0
            while !stop.isSet {
                let start = Monotonic.nanoseconds()
                let post = try await store.post(ids[i % ids.count])
                let end = Monotonic.nanoseconds()
                guard post != nil else { throw BenchError("the live post \(ids[i % ids.count]) was not found") }
                reads.append((start, end))
                i += 1
            }
            return reads
        }
        let started = Monotonic.nanoseconds()
        let value: T
        do {
            value = try await body()
        } catch {
            stop.set()
            _ = try? await task.value
            throw error
        }
        let ended = Monotonic.nanoseconds()
        stop.set()
        let reads = try await task.value
        let latencies = reads.filter { $0.start < ended && $0.end > started }.map { $0.end - $0.start }
        let seconds = Double(ended - started) / 1e9
        return Measured(value: value, seconds: seconds, latencies: latencies,
                      stats: LatencyStats(latencies, seconds: seconds))
    }
}

/// `setMuted` every 50 ms until `stop` is set, or for the run of `body`; latencies in ns.
struct WriterProbe: Sendable {
    let store: SQLiteStatusStore
    let viewer: UserID
    let author: UserID
    let stop = StopFlag()

    func measure(_ body: () async throws -> Void) async throws -> ([UInt64], Double) {
        let done = StopFlag()
        let store = self.store, viewer = self.viewer, author = self.author, stop = self.stop
        let task = Task.detached { () throws -> [UInt64] in
            var latencies: [UInt64] = []
            var muted = false
            while !done.isSet && !stop.isSet {
                muted.toggle()
                let start = Monotonic.nanoseconds()
                try await store.setMuted(viewer: viewer, author: author, muted: muted)
                latencies.append(Monotonic.nanoseconds() - start)
                try await Task.sleep(for: .milliseconds(50))
            }
            return latencies
        }
        let started = Monotonic.nanoseconds()
        try await body()
        let seconds = Double(Monotonic.nanoseconds() - started) / 1e9
        done.set()
        return (try await task.value, seconds)
    }
}

struct LatencyStats {
    var count: Int
    var readsPerSecond: Double
    var p50, p90, p99, p999, max: UInt64
    var over10ms: Int

    init(_ latencies: [UInt64], seconds: Double) {
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> UInt64 {
            guard !sorted.isEmpty else { return 0 }
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
        }
        count = sorted.count
        readsPerSecond = Double(sorted.count) / seconds
        p50 = percentile(0.5)
        p90 = percentile(0.9)
        p99 = percentile(0.99)
        p999 = percentile(0.999)
        max = sorted.last ?? 0
        over10ms = sorted.reduce(0) { $0 + ($1 > 10_000_000 ? 1 : 0) }
    }

    private static func ms(_ ns: UInt64) -> Double { (Double(ns) / 1e4).rounded() / 100 }

    var json: [String: Any] {
        ["reads": count, "reads_per_s": readsPerSecond.rounded(), "p50_ms": Self.ms(p50), "p90_ms": Self.ms(p90),
         "p99_ms": Self.ms(p99), "p99_9_ms": Self.ms(p999), "max_ms": Self.ms(max), "over_10ms": over10ms]
    }

    var summary: String {
        "\(count) reads, p50 \(Self.ms(p50)) ms, p99 \(Self.ms(p99)) ms, max \(Self.ms(max)) ms, \(over10ms) over 10 ms"
    }
}

// MARK: - Helpers

final class StopFlag: @unchecked Sendable {
    // @unchecked: `stopped` is only touched under `lock`.
    private let lock = NSLock()
    private var stopped = false
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    func set() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    /// Polls every 10 ms until set.
    func wait() async throws {
        while !isSet { try await Task.sleep(for: .milliseconds(10)) }
    }
}

/// Runs blocking work on a thread of its own, not on Swift's cooperative pool.
enum OnThread {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
        }
    }
}

enum Monotonic {
    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func seconds(since start: UInt64) -> Double {
        (Double(nanoseconds() - start) / 1e7).rounded() / 100
    }
}

enum Environment {
    static func int(_ name: String) -> Int? {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data(("[StoreBenchmarks] " + message + "\n").utf8))
}

/// Scratch data directories, removed at teardown.
final class Scratch: @unchecked Sendable {
    // @unchecked: `made` is only touched under `lock`.
    static let shared = Scratch()
    private let lock = NSLock()
    private var made: [String] = []

    func make(_ label: String) throws -> String {
        let base = ProcessInfo.processInfo.environment["STORE_BENCH_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.temporaryDirectory.path
        let path = base + "/store-benchmarks-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        lock.lock()
        made.append(path)
        lock.unlock()
        return path
    }

    func removeAll() {
        lock.lock()
        let paths = made
        made = []
        lock.unlock()
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// A flag set from any thread.
final class ManagedFlag: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
