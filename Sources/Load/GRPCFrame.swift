import NIOCore
import YibaoLoadSupport
import YibaoProto
import YibaoRPC

/// Request bodies as they travel in a gRPC HTTP/2 DATA frame, for tools that send raw bytes (h2load -d), framed by
/// the transport's own framer.
public enum GRPCFrame {
    public static func framed(_ message: [UInt8]) -> [UInt8] {
        let allocator = ByteBufferAllocator()
        var framed = GRPCMessageFramer.frame(allocator.buffer(bytes: message), allocator: allocator)
        return framed.readBytes(length: framed.readableBytes) ?? []
    }

    public static func getInvoice(workload: SyntheticWorkload, visit: Int) -> [UInt8] {
        let keys = workload.keys(ofVisit: visit)
        var request = Yibao_V1_GetInvoiceRequest()
        request.invoiceCode = keys.invoiceCode
        request.invoiceNumber = keys.invoiceNumber
        request.checkCode = keys.checkCode
        return framed(request.encoded())
    }
}
