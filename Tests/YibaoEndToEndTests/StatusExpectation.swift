import Testing
import YibaoRPC

/// The status a call ended with: `.ok` when it returned.
func status(of call: () async throws -> some Any) async -> GRPCStatus {
    do {
        _ = try await call()
        return .ok
    } catch let status as GRPCStatus {
        return status
    } catch {
        return GRPCStatus(.unknown, "not a GRPCStatus: \(error)")
    }
}

/// Expects the call to end with `code`, and the message to contain `fragment` when given.
func expectStatus(_ code: GRPCStatus.Code, containing fragment: String? = nil, _ label: String,
                  sourceLocation: SourceLocation = #_sourceLocation, _ call: () async throws -> some Any) async {
    let got = await status(of: call)
    #expect(got.code == code, "\(label): \(got)", sourceLocation: sourceLocation)
    if let fragment {
        #expect(got.message.contains(fragment), "\(label): message '\(got.message)' lacks '\(fragment)'", sourceLocation: sourceLocation)
    }
}
