// swift-tools-version:6.1
// libFuzzer targets for Status Engine, kept in a sibling package: they are built only with
// `-sanitize=fuzzer,address` (scripts/fuzz), and an executable without a `main` of its own would
// not link in the root package's ordinary builds.
//
//   scripts/fuzz TARGET SECONDS        (TARGET: image, video, text, manifest-json, manifest-csv,
//                                       users, http-bodies)
//
// Each target is one `LLVMFuzzerTestOneInput` and an entry point that starts libFuzzer's driver. The build is a debug
// build so that `http-bodies` can reach StatusHTTP's internal body readers (`@testable`).
import Foundation
import PackageDescription

/// A path dependency's identity is its folder's name, which is whatever the clone is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

func fuzzTarget(_ name: String, _ products: [String], local: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["CFuzzDriver"] + local + products.map {
            .product(name: $0, package: $0 == "Hummingbird" ? "hummingbird" : rootIdentity)
        },
        path: "Sources/\(name)"
    )
}

let package = Package(
    name: "StatusEngineFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "../"),
        // `ByteBuffer`, for the HTTP body readers.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // libFuzzer's driver, started from each target's entry point.
        .target(name: "CFuzzDriver", path: "Sources/CFuzzDriver"),
        // The media targets' small configuration and rendition checks.
        .target(
            name: "FuzzMediaSupport",
            dependencies: [.product(name: "StatusMedia", package: rootIdentity)],
            path: "Sources/FuzzMediaSupport"
        ),
        fuzzTarget("FuzzImage", ["StatusMedia", "StatusCore"], local: ["FuzzMediaSupport"]),
        fuzzTarget("FuzzVideo", ["StatusMedia", "StatusCore"], local: ["FuzzMediaSupport"]),
        fuzzTarget("FuzzText", ["StatusMedia", "StatusCore"], local: ["FuzzMediaSupport"]),
        fuzzTarget("FuzzManifestJSON", ["StatusAds", "StatusCore"]),
        fuzzTarget("FuzzManifestCSV", ["StatusAds", "StatusCore"]),
        fuzzTarget("FuzzUsers", ["StatusEngine", "StatusCore"]),
        fuzzTarget("FuzzHTTPBodies", ["StatusHTTP", "StatusEngine", "StatusCore", "Hummingbird"]),
    ]
)
