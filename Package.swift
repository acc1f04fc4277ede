// swift-tools-version: 6.1
// Yibao Ledger: a tamper-evident ledger node for medical-insurance data.
// Arrows point down only: executables -> Server/Client -> RPC -> C modules; Domain -> Crypto -> COpenSSL; Domain -> CLMDB.
import PackageDescription

let package = Package(
    name: "yibao-ledger",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "YibaoCrypto", targets: ["YibaoCrypto"]),
        .library(name: "YibaoDomain", targets: ["YibaoDomain"]),
        .library(name: "YibaoRPC", targets: ["YibaoRPC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
    ],
    targets: [
        // System libraries (Debian: liblmdb-dev libnghttp2-dev libprotobuf-c-dev libssl-dev), found by pkg-config.
        .systemLibrary(name: "CLMDB", path: "Sources/CLMDB", pkgConfig: "lmdb",
                       providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CNghttp2", path: "Sources/CNghttp2", pkgConfig: "libnghttp2",
                       providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "CProtobufC", path: "Sources/CProtobufC", pkgConfig: "libprotobuf-c",
                       providers: [.apt(["libprotobuf-c-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),

        .target(name: "YibaoCrypto", dependencies: ["COpenSSL"], path: "Sources/Crypto"),
        .target(name: "YibaoDomain", dependencies: ["YibaoCrypto", "CLMDB"], path: "Sources/Domain"),
        // gRPC server transport: nghttp2 owns HTTP/2, SwiftNIO owns sockets and event loops.
        .target(name: "YibaoRPC",
                dependencies: ["CNghttp2", "COpenSSL",
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio")],
                path: "Sources/RPC"),

        // A child process for the crash test: appends and prints every acknowledged receipt until killed.
        .executableTarget(name: "ledger-crash-writer", dependencies: ["YibaoDomain"],
                          path: "Tests/LedgerCrashWriter"),
        .executableTarget(name: "yibao-ledger-bench",
                          dependencies: ["YibaoDomain", "CLMDB", .product(name: "Histogram", package: "hdrhistogram-swift")],
                          path: "benchmarks/ledger"),

        .testTarget(name: "YibaoCryptoTests", dependencies: ["YibaoCrypto"], path: "Tests/YibaoCryptoTests"),
        .testTarget(name: "YibaoDomainTests", dependencies: ["YibaoDomain", "CLMDB", "ledger-crash-writer"],
                    path: "Tests/YibaoDomainTests"),
        // Interop against stock clients (Python grpcio, h2) from the venv that scripts/test prepares.
        .testTarget(name: "YibaoRPCTests",
                    dependencies: ["YibaoRPC", .product(name: "NIOCore", package: "swift-nio")],
                    path: "Tests/YibaoRPCTests"),
    ],
    swiftLanguageModes: [.v6]
)
