import Testing

@testable import Simulator

@Suite struct SmokeTests {
    @Test func layoutHasSixteenIntersections() {
        let layout = ZoneLayout(parameters: SimulationParameters())
        #expect(layout.intersections.count == 16)
    }
}
