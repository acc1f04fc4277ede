import YibaoLoadSupport
import YibaoProto

/// Request bodies as they travel in a gRPC HTTP/2 DATA frame, for tools that send raw bytes (h2load -d).
public enum GRPCFrame {
    /// Flag 0 (uncompressed), the length as u32 big-endian, the message.
    public static func framed(_ message: [UInt8]) -> [UInt8] {
        let length = UInt32(message.count)
        return [0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + message
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
