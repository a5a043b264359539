// swift-tools-version:6.1
// Benchmarks for Status Engine, kept in a sibling package so that the root package does not
// depend on ordo-one/benchmark (and its malloc interposer) for ordinary builds and tests.
//
//   cd Benchmarks && swift package benchmark --target MediaBenchmarks
//   cd Benchmarks && swift package benchmark --target StoreBenchmarks
import Foundation
import PackageDescription

/// A path dependency's identity is its folder's name, which is whatever the clone is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
    name: "StatusEngineBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // Only for the raw SQL floor of the feed benchmark.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "MediaBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StatusMedia", package: rootIdentity),
            ],
            path: "Benchmarks/MediaBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        // Publish rates (engine and store alone), and the purge of 100k expired image posts with
        // a concurrent reader and a plain-unlink floor (seeded at run time, several minutes).
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StatusStore", package: rootIdentity),
                .product(name: "StatusCore", package: rootIdentity),
                .product(name: "StatusEngine", package: rootIdentity),
                // Only to pre-render text posts for the store-only publish benchmark.
                .product(name: "StatusMedia", package: rootIdentity),
            ],
            path: "Benchmarks/StoreBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        // Ad selection for one feed against 100,000 campaigns: the targeting index beside a full scan.
        .executableTarget(
            name: "AdsBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StatusAds", package: rootIdentity),
                .product(name: "StatusCore", package: rootIdentity),
            ],
            path: "Benchmarks/AdsBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        // The per-viewer feed on a seeded population of 10,000 users (seeded once, then reused),
        // beside the raw SQL floor; and the growth of its cost with contacts and posts.
        .executableTarget(
            name: "FeedBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StatusEngine", package: rootIdentity),
                .product(name: "StatusStore", package: rootIdentity),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/FeedBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)
