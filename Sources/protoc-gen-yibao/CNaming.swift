/// The names protoc-c 1.4 gives to a proto type in C (c_helpers.cc: FullNameToC, FullNameToLower, FieldName).
/// The generated Swift must spell them exactly; the Swift compiler checks every one against the committed headers.
enum CNaming {
    /// "yibao.test.v1.EchoRequest" -> "Yibao__Test__V1__EchoRequest"
    static func typeName(_ fullName: String) -> String {
        fullName.split(separator: ".").map { toCamel(String($0)) }.joined(separator: "__")
    }

    /// "yibao.test.v1.EchoRequest" -> "yibao__test__v1__echo_request" (prefix of __init, __descriptor)
    static func functionPrefix(_ fullName: String) -> String {
        fullName.split(separator: ".").map { camelToLower(String($0)) }.joined(separator: "__")
    }

    /// Struct member name of a field: lowercased, with "_" appended to a C/C++ keyword.
    static func memberName(_ fieldName: String) -> String {
        let lowered = fieldName.lowercased()
        return cKeywords.contains(lowered) ? lowered + "_" : lowered
    }

    private static func toCamel(_ piece: String) -> String {
        var result = ""
        var nextIsUpper = true
        for character in piece {
            if character == "_" {
                nextIsUpper = true
            } else if nextIsUpper {
                result += character.uppercased()
                nextIsUpper = false
            } else {
                result.append(character)
            }
        }
        return result
    }

    private static func camelToLower(_ piece: String) -> String {
        var result = ""
        var wasUpper = true  // no leading underscore
        for character in piece {
            let isUpper = character.isASCII && character.isUppercase
            if isUpper {
                if !wasUpper { result += "_" }
                result += character.lowercased()
            } else {
                result.append(character)
            }
            wasUpper = isUpper
        }
        return result
    }

    private static let cKeywords: Set<String> = [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
        "float", "for", "goto", "if", "int", "long", "register", "return", "short", "signed", "sizeof", "static",
        "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "and", "and_eq", "asm",
        "bitand", "bitor", "bool", "catch", "class", "compl", "const_cast", "delete", "dynamic_cast", "explicit",
        "export", "false", "friend", "inline", "mutable", "namespace", "new", "not", "not_eq", "operator", "or",
        "or_eq", "private", "protected", "public", "reinterpret_cast", "static_cast", "template", "this", "throw",
        "true", "try", "typeid", "typename", "using", "virtual", "wchar_t", "xor", "xor_eq",
    ]
}
