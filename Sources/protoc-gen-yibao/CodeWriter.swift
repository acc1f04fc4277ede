/// Accumulates indented Swift source; `indent` nests a block so emitters never count spaces.
struct CodeWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ content: String = "") {
        text += content.isEmpty ? "\n" : String(repeating: "    ", count: depth) + content + "\n"
    }

    mutating func block(_ opening: String, closing: String = "}", _ body: (inout CodeWriter) throws -> Void) rethrows {
        line(opening)
        depth += 1
        try body(&self)
        depth -= 1
        line(closing)
    }
}
