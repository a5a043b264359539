// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "StatusEngine",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "statusctl", targets: ["statusctl"]),
        .library(name: "StatusCore", targets: ["StatusCore"]),
        .library(name: "StatusMedia", targets: ["StatusMedia"]),
        .library(name: "StatusStore", targets: ["StatusStore"]),
        .library(name: "StatusFeed", targets: ["StatusFeed"]),
        .library(name: "StatusAds", targets: ["StatusAds"]),
        .library(name: "StatusEngine", targets: ["StatusEngine"]),
        .library(name: "StatusHTTP", targets: ["StatusHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Channel handlers for the HTTP server (closing a connection after a 408).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // System libraries. Only StatusMedia imports them; each has a shim.h for the
        // macros and constants that do not import into Swift.
        .systemLibrary(
            name: "CTurboJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng16",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CLCMS2",
            pkgConfig: "lcms2",
            providers: [.apt(["liblcms2-dev"])]
        ),
        .systemLibrary(
            name: "CPangoCairo",
            pkgConfig: "pangocairo",
            providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]
        ),
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev"])]
        ),

        .target(name: "StatusCore"),
        .target(
            name: "StatusMedia",
            dependencies: ["StatusCore", "CTurboJPEG", "CPNG", "CLCMS2", "CPangoCairo", "CFFmpeg"]
        ),
        // The only module that touches SQLite (through GRDB) and the blob files.
        .target(
            name: "StatusStore",
            dependencies: [
                "StatusCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Per-viewer feed assembly: pure, fed by the store.
        .target(name: "StatusFeed", dependencies: ["StatusCore"]),
        // Sponsored Status ads: manifest checks, targeting, caps, pacing, auction; pure.
        .target(name: "StatusAds", dependencies: ["StatusCore"]),
        .target(
            name: "StatusEngine",
            dependencies: [
                "StatusCore", "StatusMedia", "StatusStore", "StatusFeed", "StatusAds",
                // HMAC-SHA256 for ad event tokens.
                .product(name: "Crypto", package: "swift-crypto"),
                // Feed and ad-selection latency, ads served, events (no-ops until a backend is set).
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The HTTP API (Hummingbird 2): routes, roles, errors, uploads, metrics, the preview page.
        .target(
            name: "StatusHTTP",
            dependencies: [
                "StatusEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "statusctl",
            dependencies: [
                "StatusEngine", "StatusHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(
            name: "StatusMediaTests",
            dependencies: ["StatusMedia", "StatusCore"],
            resources: []
        ),
        .testTarget(
            name: "StatusStoreTests",
            dependencies: ["StatusStore", "StatusCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "StatusAdsTests",
            dependencies: ["StatusAds", "StatusCore"]
        ),
        .testTarget(
            name: "StatusFeedTests",
            dependencies: ["StatusFeed", "StatusCore", "StatusEngine", "StatusStore"]
        ),
        .testTarget(
            name: "StatusEngineTests",
            dependencies: ["StatusEngine", "statusctl"]
        ),
        .testTarget(
            name: "StatusHTTPTests",
            dependencies: [
                "StatusHTTP", "StatusEngine", .product(name: "HummingbirdTesting", package: "hummingbird"),
                // Locks the store from outside to check the 503 answer.
                .product(name: "GRDB", package: "GRDB.swift"),
                // Reads openapi.yaml to keep it in step with the routes.
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ]
)
