// swift-tools-version: 6.1
// The benchmark's comparison peer: yibao.test.v1.Echo served by grpc-swift-2 over its NIO HTTP/2 transport.
// Its own package so the main build and CI never compile grpc-swift. Generated code is committed (see ./generate).
import PackageDescription

let package = Package(
    name: "grpc-swift-echo",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        .executableTarget(
            name: "grpc-swift-echo-server",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Sources/GRPCSwiftEchoServer"),
    ],
    swiftLanguageModes: [.v6]
)
