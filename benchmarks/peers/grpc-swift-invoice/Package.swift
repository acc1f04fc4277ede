// swift-tools-version: 6.1
// The suite's comparison peer: the InvoiceService subset (IssueInvoices, GetInvoice) on grpc-swift-2 over its NIO
// HTTP/2 transport, storing through the same YibaoDomain rules and YibaoLedger engine as the node (path dependency on the repository).
// Its own package so that the main build and CI never compile grpc-swift. Generated code is committed (./generate).
import PackageDescription

let package = Package(
    name: "grpc-swift-invoice",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(name: "yibao-ledger", path: "../../.."),
    ],
    targets: [
        .executableTarget(
            name: "grpc-swift-invoice-server",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "YibaoDomain", package: "yibao-ledger"),
                .product(name: "YibaoLedger", package: "yibao-ledger"),
                .product(name: "YibaoCrypto", package: "yibao-ledger"),
            ],
            path: "Sources/GRPCSwiftInvoiceServer"),
    ],
    swiftLanguageModes: [.v6]
)
