import Foundation
import Testing

@testable import Server

@Suite("Console tokens file")
struct TokensFileTests {
    @Test("a token is found by its hash only; the file text round-trips")
    func roundTrip() throws {
        var tokens = ConsoleTokens()
        let token = try tokens.add(id: "ops-a", role: .operator, operatorID: "OP \"A\"")
        let admin = try tokens.add(id: "root", role: .admin, operatorID: nil)
        #expect(
            tokens.identity(forToken: token)
                == ConsoleIdentity(tokenID: "ops-a", role: .operator, operatorID: "OP \"A\""))
        #expect(tokens.identity(forToken: admin)?.role == .admin)
        #expect(tokens.identity(forToken: token + "x") == nil)
        #expect(!tokens.text.contains(token) && !tokens.text.contains(admin))
        let parsed = try ConsoleTokens.parse(tokens.text, file: "t.toml")
        #expect(parsed == tokens)
        #expect(parsed.identity(forToken: token)?.scope == "OP \"A\"")
        #expect(ConsoleTokens.generateToken() != ConsoleTokens.generateToken())
    }

    @Test(
        "bad files and bad tokens are refused with the field at fault",
        arguments: [
            (
                "[[tokens]]\nid = \"a\"\nrole = \"boss\"\nsha256 = \"\(String(repeating: "a", count: 64))\"",
                "tokens[0].role: unknown role 'boss'"
            ),
            (
                "[[tokens]]\nid = \"a\"\nrole = \"admin\"\nsha256 = \"abc\"",
                "tokens[0].sha256: expected 64 hex digits"
            ),
            (
                "[[tokens]]\nid = \"a\"\nrole = \"operator\"\nsha256 = \"\(String(repeating: "b", count: 64))\"",
                "tokens[0].operator"
            ),
            (
                "[[tokens]]\nrole = \"admin\"\nsha256 = \"\(String(repeating: "c", count: 64))\"",
                "tokens[0].id: missing"
            ),
            ("tokens = 3", "expected [[tokens]] tables"),
            ("[[tokens]\n", "TOML syntax"),
        ])
    func badFiles(text: String, expected: String) {
        #expect {
            _ = try ConsoleTokens.parse(text, file: "t.toml")
        } throws: { error in
            "\(error)".hasPrefix("t.toml: ") && "\(error)".contains(expected)
        }
    }

    @Test("ids are checked; operator role needs an operator and only it takes one")
    func badAdds() throws {
        var tokens = ConsoleTokens()
        #expect(throws: ConsoleTokensError.self) { try tokens.add(id: "", role: .admin, operatorID: nil) }
        #expect(throws: ConsoleTokensError.self) { try tokens.add(id: "a b", role: .admin, operatorID: nil) }
        #expect(throws: ConsoleTokensError.self) { try tokens.add(id: "x", role: .operator, operatorID: nil) }
        #expect(throws: ConsoleTokensError.self) {
            try tokens.add(id: "x", role: .engineer, operatorID: "OP")
        }
        _ = try tokens.add(id: "x", role: .engineer, operatorID: nil)
        #expect(throws: ConsoleTokensError.self) { try tokens.add(id: "x", role: .admin, operatorID: nil) }
        #expect(tokens.revoke(id: "x") && !tokens.revoke(id: "x"))
    }

    @Test("roles allow exactly their permissions")
    func permissions() {
        let table: [ConsoleRole: [ConsolePermission]] = [
            .operator: [.liveData],
            .engineer: [.liveData, .dataHealth, .prometheus],
            .regulator: [.liveData, .dataHealth],
            .admin: [.liveData, .dataHealth, .prometheus, .administration],
        ]
        let all: [ConsolePermission] = [.liveData, .dataHealth, .prometheus, .administration]
        for (role, allowed) in table {
            #expect(all.filter { role.allows($0) } == allowed, "\(role)")
        }
        #expect(ConsoleIdentity.open.role == .engineer && ConsoleIdentity.open.scope == nil)
    }
}
