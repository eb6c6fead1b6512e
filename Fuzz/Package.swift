// swift-tools-version: 6.1
// libFuzzer targets for listen's parsers of untrusted input (`scripts/fuzz` builds and runs them).
import PackageDescription

let fuzzer: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address", "-parse-as-library"])]
let linker: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

let package = Package(
    name: "ListenFuzz",
    dependencies: [.package(name: "listen", path: "..")],
    targets: [
        .target(name: "FuzzSupport", swiftSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]),
        .executableTarget(name: "FuzzAudioDecoder", dependencies: ["FuzzSupport", .product(name: "Audio", package: "listen")],
                          swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzModelFile", dependencies: ["FuzzSupport", .product(name: "Recognizer", package: "listen")],
                          swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzHooks", dependencies: ["FuzzSupport", .product(name: "Recognizer", package: "listen")],
                          swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzWyoming", dependencies: ["FuzzSupport", .product(name: "Recognizer", package: "listen")],
                          swiftSettings: fuzzer, linkerSettings: linker),
    ]
)
