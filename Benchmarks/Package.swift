// swift-tools-version: 6.1
// Benchmarks print figures; they are not tests. Run from this folder:
//   swift package --allow-writing-to-package-directory benchmark
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, which is whatever the checkout is called.
let listen = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "listen-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "FeatureBenchmarks",
            dependencies: [
                .product(name: "Features", package: listen),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "FeatureBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "RecognizerBenchmarks",
            dependencies: [
                .product(name: "Recognizer", package: listen),
                .product(name: "Features", package: listen),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "RecognizerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
