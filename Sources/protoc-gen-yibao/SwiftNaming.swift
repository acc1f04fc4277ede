/// Swift spellings of proto names: types keep their proto names under a package prefix, fields become lowerCamelCase.
enum SwiftNaming {
    /// "yibao.test.v1" -> "Yibao_Test_V1_" (Swift has no namespaces; the prefix keeps packages apart).
    static func packagePrefix(_ package: String) -> String {
        guard !package.isEmpty else { return "" }
        return package.split(separator: ".").map { upperCamel(String($0)) }.joined(separator: "_") + "_"
    }

    /// "repeated_int32" -> "repeatedInt32", escaped when it is a Swift keyword. A name in capitals only (etcd's
    /// `TTL`, `ID`) is an acronym: "TTL" -> "ttl", not "tTL".
    static func propertyName(_ snake: String) -> String {
        let isAcronym = snake.contains { $0.isLetter } && !snake.contains { $0.isLowercase }
        return escaped(lowerCamel(isAcronym ? snake.lowercased() : snake))
    }

    /// "choice" -> "Choice"
    static func typeName(_ snake: String) -> String { upperCamel(snake) }

    /// "ECHO_KIND_PLAIN" of enum "EchoKind" -> "plain"
    static func enumCaseName(_ valueName: String, enumName: String) -> String {
        let prefix = upperSnake(enumName) + "_"
        var name = valueName
        if name.hasPrefix(prefix) && name.count > prefix.count { name.removeFirst(prefix.count) }
        var camel = lowerCamel(name.lowercased())
        if camel.first?.isNumber == true { camel = "_" + camel }
        return escaped(camel)
    }

    static func escaped(_ name: String) -> String {
        swiftKeywords.contains(name) ? "`\(name)`" : name
    }

    private static func lowerCamel(_ snake: String) -> String {
        let camel = upperCamel(snake)
        guard let first = camel.first else { return camel }
        return first.lowercased() + camel.dropFirst()
    }

    private static func upperCamel(_ snake: String) -> String {
        snake.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// "EchoKind" -> "ECHO_KIND"
    private static func upperSnake(_ camel: String) -> String {
        var result = ""
        var previous: Character?
        for character in camel {
            if character.isUppercase, let previous, previous.isLowercase || previous.isNumber { result += "_" }
            result += character.uppercased()
            previous = character
        }
        return result
    }

    private static let swiftKeywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
        "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer",
        "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where",
        "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try", "_",
        "Type", "Protocol", "some", "any",
    ]
}
