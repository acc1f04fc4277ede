import YibaoCrypto
import YibaoLedger

/// Decodes one record's payload, turning a format fault into the refusal every record kind gives for it:
/// `invalidArgument` naming `records[position].payload`.
func decodeRecordPayload<T>(at record: @autoclosure () -> String, _ body: () throws(FormatError) -> T) throws(LedgerError) -> T {
    do throws(FormatError) {
        return try body()
    } catch {
        throw LedgerError(.invalidArgument, field: "\(record()).payload", "\(error)")
    }
}
