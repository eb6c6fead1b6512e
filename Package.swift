// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "listen",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "listen", targets: ["listen"]),
        .library(name: "Audio", targets: ["Audio"]),
        .library(name: "Features", targets: ["Features"]),
        .library(name: "Recognizer", targets: ["Recognizer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C libraries, each behind a tiny module map; imported with `internal import`.
        .systemLibrary(
            name: "CFFTW", pkgConfig: "fftw3f",
            providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(
            name: "CSndFile", pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(
            name: "CSampleRate", pkgConfig: "samplerate",
            providers: [.apt(["libsamplerate0-dev"])]),
        .systemLibrary(
            name: "CPulse", pkgConfig: "libpulse",
            providers: [.apt(["libpulse-dev"])]),
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        // glibc's allocator tuning (`mallopt`), part of libc.
        .systemLibrary(name: "CMalloc"),

        .target(name: "Audio", dependencies: ["CSndFile", "CSampleRate", "CPulse"]),
        .target(name: "Features", dependencies: ["CFFTW"]),
        // The shipped model, embedded with C23's #embed (found through the header path).
        .target(name: "CDefaultModel", exclude: ["default.lstn", "enrollment-noise.s16", "enrollment-rehearsal.bin"], cSettings: [.headerSearchPath(".")]),
        .target(name: "Recognizer", dependencies: ["Audio", "Features", "CBLAS", "CDefaultModel", "COpenSSL"]),
        .executableTarget(
            name: "listen",
            dependencies: [
                "Audio", "Features", "Recognizer", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Examples/: one task each, built with everything else; the README's library snippets.
        .executableTarget(name: "TranscribeFile", dependencies: ["Audio", "Recognizer"], path: "Examples/TranscribeFile"),
        .executableTarget(name: "MicrophoneHook", dependencies: ["Audio", "Recognizer"], path: "Examples/MicrophoneHook"),
        .executableTarget(name: "TrainOnFolder", dependencies: ["Recognizer"], path: "Examples/TrainOnFolder"),

        // Helpers the test targets share: fixture paths, text matrices, scratch folders.
        .target(name: "TestSupport", dependencies: ["Features"], path: "Tests/TestSupport"),
        .testTarget(name: "AudioTests", dependencies: ["Audio", "TestSupport"]),
        .testTarget(name: "FeaturesTests", dependencies: ["Features", "Audio", "TestSupport"]),
        .testTarget(name: "RecognizerTests", dependencies: ["Recognizer", "Features", "Audio", "TestSupport"]),
        .testTarget(name: "ListenTests", dependencies: ["listen", "Audio", "TestSupport"]),
    ],
    cLanguageStandard: .c2x
)
