import Core
import Testing

@Suite("domain values")
struct DomainTests {
    @Test func eventIDRoundTripsThroughItsCanonicalForm() {
        let id = EventID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
        #expect(id.description == "01234567-89ab-cdef-fedc-ba9876543210")
        #expect(EventID(uuidString: id.description) == id)
        #expect(EventID(uuidString: "01234567-89AB-CDEF-FEDC-BA9876543210") == id)
    }

    @Test(arguments: ["", "not-a-uuid", "01234567-89ab-cdef-fedc-ba987654321", "0123456789abcdeffedcba9876543210",
                      "01234567-89ab-cdef-fedc-ba98765432100", "0123456g-89ab-cdef-fedc-ba9876543210"])
    func malformedEventIDsAreRejected(_ text: String) {
        #expect(EventID(uuidString: text) == nil)
    }

    @Test func timestampsPrintAsSecondsWithMilliseconds() {
        #expect(Timestamp(milliseconds: 12_345).description == "12.345s")
        #expect(Timestamp(milliseconds: 7).description == "0.007s")
    }
}
