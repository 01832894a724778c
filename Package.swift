// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Signalbox",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "signalbox", targets: ["signalbox"]),
        .library(name: "AMQPClient", targets: ["AMQPClient"]),
        .library(name: "JSONPath", targets: ["JSONPath"]),
        .library(name: "Cron", targets: ["Cron"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C boundary: rabbitmq-c 0.11 (Debian) or later, through a shim for the variadic calls.
        .systemLibrary(
            name: "CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        // glibc's malloc_trim: gives freed memory back after a one-off large build (start-up).
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "AMQPClient",
            dependencies: [
                "CRabbitMQ",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "JSONPath"),
        .target(name: "Cron"),
        .target(name: "Automation", dependencies: ["JSONPath", "Cron", .product(name: "Crypto", package: "swift-crypto")]),
        // Standard Webhooks signatures (HMAC-SHA256), for webhooks in and out and the CLI.
        .target(name: "StandardWebhooks", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Definitions as code: YAML/JSON files (and seed 002's task list) read with their
        // positions, for `signalbox apply` and `serve --definitions`.
        .target(name: "Definitions", dependencies: ["Automation", "JSONPath", .product(name: "Yams", package: "Yams")]),
        .target(name: "SQLiteStore", dependencies: ["Automation", "JSONPath", .product(name: "GRDB", package: "GRDB.swift")]),
        // The shared store for several replicas: PostgreSQL through postgres-nio (issue 17).
        .target(
            name: "PostgresStore",
            dependencies: [
                "Automation",
                "JSONPath",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                // The scheduler leadership's campaign runs as a service (postgres-nio depends on it already).
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "HTTPAPI",
            dependencies: [
                "Automation",
                "StandardWebhooks",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The web console's files, compiled into the binary: nothing to install beside it.
            resources: [
                .embedInCode("Console/Assets/index.html"), .embedInCode("Console/Assets/app.js"),
                .embedInCode("Console/Assets/app.css"),
            ]
        ),
        .target(
            name: "Engine",
            dependencies: [
                "Automation",
                "AMQPClient",
                "CMalloc",
                "Cron",
                "StandardWebhooks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "signalbox",
            dependencies: [
                "AMQPClient", "JSONPath", "Cron", "Automation", "Definitions", "SQLiteStore", "PostgresStore", "Engine", "HTTPAPI",
                "StandardWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // Benchmarks print figures; they are run by scripts/bench-*.sh, never by `swift test`.
        .executableTarget(
            name: "RelayBenchmark",
            dependencies: ["AMQPClient", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/RelayBenchmark"
        ),
        .executableTarget(name: "JSONPathBenchmark", dependencies: ["JSONPath"], path: "Benchmarks/JSONPathBenchmark"),
        .executableTarget(name: "CronBenchmark", dependencies: ["Cron"], path: "Benchmarks/CronBenchmark"),
        .executableTarget(
            name: "SchedulerBenchmark",
            dependencies: [
                "Engine", "Automation", "SQLiteStore", "AMQPClient", "SignalboxTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/SchedulerBenchmark"
        ),
        .executableTarget(
            name: "DelayedRunBenchmark",
            dependencies: [
                "Engine", "Automation", "SQLiteStore", "AMQPClient", "CMalloc", "SignalboxTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/DelayedRunBenchmark"
        ),
        .executableTarget(name: "StatisticsBenchmark", dependencies: ["Automation", "SQLiteStore"], path: "Benchmarks/StatisticsBenchmark"),
        .executableTarget(name: "HashingBenchmark", dependencies: ["Automation"], path: "Benchmarks/HashingBenchmark"),
        .executableTarget(
            name: "MatchingBenchmark", dependencies: ["Automation", "JSONPath", "SignalboxTestSupport"],
            path: "Benchmarks/MatchingBenchmark"
        ),
        // Prepares databases (SQLite or PostgreSQL) and queues for `signalbox serve` and times it, one replica or
        // several (scripts/bench-pipeline.sh, bench-startup.sh).
        .executableTarget(
            name: "ServeBenchmark",
            dependencies: [
                "AMQPClient", "Automation", "SQLiteStore", "PostgresStore", "Engine",
                .product(name: "Logging", package: "swift-log"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Benchmarks/ServeBenchmark"
        ),

        // What tests and benchmarks share: a seeded generator, polling, command-line tools, the test broker's settings.
        .target(name: "SignalboxTestSupport", dependencies: ["AMQPClient"], path: "Tests/Support"),
        .testTarget(
            name: "AMQPClientTests",
            dependencies: ["AMQPClient", "SignalboxTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "JSONPathTests", dependencies: ["JSONPath", "SignalboxTestSupport"]),
        .testTarget(name: "CronTests", dependencies: ["Cron", "SignalboxTestSupport"]),
        .testTarget(name: "AutomationTests", dependencies: ["Automation", "SignalboxTestSupport"]),
        .testTarget(name: "DefinitionsTests", dependencies: ["Definitions", "Automation", "JSONPath", "SignalboxTestSupport"]),
        // The PostgreSQL server of scripts/test.sh and a database per test, for every test target that needs one.
        .target(
            name: "PostgresTestSupport",
            dependencies: [
                "PostgresStore", "SignalboxTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/PostgresSupport"
        ),
        // The store contract tests, against every store (StoreKind), and the SQLite store's own.
        .testTarget(
            name: "SQLiteStoreTests",
            dependencies: [
                "SQLiteStore", "PostgresStore", "PostgresTestSupport", "Automation", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "PostgresStoreTests",
            dependencies: [
                "PostgresStore", "PostgresTestSupport", "SignalboxTestSupport", "Automation",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "HTTPAPITests",
            dependencies: [
                "HTTPAPI", "Automation", "StandardWebhooks", "SignalboxTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "SignalboxTests",
            dependencies: [
                "signalbox", "Engine", "Automation", "AMQPClient", "SignalboxTestSupport", "PostgresStore", "PostgresTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Engine", "Automation", "AMQPClient", "SQLiteStore", "JSONPath", "Definitions", "SignalboxTestSupport",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ]
)

// One settings loop for every Swift target: Swift 6 mode (complete concurrency checking) and no warnings.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .swiftLanguageMode(.v6),
        .enableUpcomingFeature("ExistentialAny"),
        .treatAllWarnings(as: .error),
    ]
}
