import PostgresStore
import Testing

/// `database.url` parsing: no server.
@Suite("PostgreSQL URL")
struct ConfigurationURLTests {
    @Test func aFullURLGivesEveryField() throws {
        let configuration = try PostgresStoreConfiguration(url: "postgres://signalbox:s3cret@db.example:6543/automation?sslmode=require")
        #expect(configuration.host == "db.example")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "signalbox")
        #expect(configuration.password == "s3cret")
        #expect(configuration.database == "automation")
        #expect(configuration.tls == .require)
    }

    @Test func postgresqlSchemeDefaultPortNoPasswordAndPreferredTLS() throws {
        let configuration = try PostgresStoreConfiguration(url: "postgresql://signalbox@localhost/automation")
        #expect(configuration.port == 5432)
        #expect(configuration.password == nil)
        #expect(configuration.tls == .prefer)
        #expect(try PostgresStoreConfiguration(url: "postgres://u@h/d?sslmode=disable").tls == .disable)
    }

    @Test func userPasswordAndDatabaseArePercentDecoded() throws {
        let configuration = try PostgresStoreConfiguration(url: "postgres://us%40er:p%2Fw%40rd%3A@h:5432/my%20db")
        #expect(configuration.username == "us@er")
        #expect(configuration.password == "p/w@rd:")
        #expect(configuration.database == "my db")
    }

    @Test func aPasswordWithUnencodedSeparatorsEndsAtTheLastAt() throws {
        let configuration = try PostgresStoreConfiguration(url: "postgres://u:p@ss/w?rd@db:5433/app")
        #expect(configuration.password == "p@ss/w?rd")
        #expect(configuration.host == "db")
        #expect(configuration.port == 5433)
        #expect(configuration.database == "app")
    }

    @Test func anIPv6HostStandsInBrackets() throws {
        let configuration = try PostgresStoreConfiguration(url: "postgres://u:pw@[::1]:5433/app")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5433)
        #expect(configuration.description == "postgres://u:***@[::1]:5433/app")
    }

    @Test func theDescriptionHidesThePassword() throws {
        let configuration = try PostgresStoreConfiguration(url: "postgres://signalbox:s3cret@db:5432/automation?sslmode=disable")
        #expect(configuration.description == "postgres://signalbox:***@db:5432/automation?sslmode=disable")
        #expect(!"\(configuration)".contains("s3cret"))
        #expect(PostgresStoreConfiguration.redacted("postgres://u:s3cret@db/x") == "postgres://u:***@db/x")
    }

    @Test(arguments: [
        ("postgres://signalbox:s3cret@db:5432", "missing database name"),
        ("postgres://signalbox:s3cret@db:5432/", "missing database name"),
        ("postgres://signalbox:s3cret@db:5432/a/b", "must not contain \"/\""),
        ("postgres://signalbox:s3cret@:5432/app", "missing host"),
        ("postgres://signalbox:s3cret@db:99999/app", "invalid port \"99999\""),
        ("postgres://signalbox:s3cret@db:port/app", "invalid port \"port\""),
        ("postgres://signalbox:s3cret@[::1/app", "unclosed \"[\""),
        ("postgres://signalbox@/app", "missing host"),
        ("postgres://db:5432/app", "missing user name"),
        ("postgres://:s3cret@db/app", "missing user name"),
        ("mysql://signalbox:s3cret@db/app", "unsupported scheme \"mysql\""),
        ("signalbox:s3cret@db/app", "not a URL"),
        ("s3cret", "not a URL"),
        ("postgres://signalbox:s3cret@db/app?sslmode=verify-ca", "unsupported sslmode \"verify-ca\""),
        ("postgres://signalbox:s3cret@db/app?connect_timeout=5", "unknown parameter \"connect_timeout\""),
        ("postgres://signalbox:s3cret%zz@db/app", "invalid percent-encoding in the password"),
        ("postgres://signalbox:s3cret@db/app%zz", "invalid percent-encoding in the database name"),
    ])
    func aWrongURLIsRefusedNamingWhatAndWhereWithoutThePassword(url: String, expected: String) {
        do throws(PostgresStoreError) {
            let configuration = try PostgresStoreConfiguration(url: url)
            Issue.record("accepted \(configuration)")
        } catch {
            let text = error.description
            #expect(text.hasPrefix("database.url: "), "\(text)")
            #expect(text.contains(expected), "\(text)")
            #expect(!text.contains("s3cret"), "\(text)")
            #expect(error.isInvalidConfiguration)
        }
    }

    @Test func theErrorNamesTheKeyItCameFrom() {
        #expect {
            try PostgresStoreConfiguration(url: "postgres://u:pw@db", key: "SIGNALBOX_DATABASE_URL")
        } throws: { error in
            "\(error)" == "SIGNALBOX_DATABASE_URL: missing database name in postgres://u:***@db"
        }
    }
}
