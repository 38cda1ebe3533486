/// Inline SVG charts for the HTML report: bar charts and the coverage map. Coordinates are
/// written with fixed decimals so the markup is byte-stable.
enum SVGChart {
    /// A bar of a bar chart: axis label, value (for the height), and the value's text as shown
    /// in the tables.
    struct Bar {
        var label: String
        var value: Double
        var text: String
    }

    /// A vertical bar chart with a value axis; `title` becomes the SVG's accessible title.
    static func bars(_ bars: [Bar], title: String, unit: String, width: Double = 680, height: Double = 190)
        -> String
    {
        let left = 46.0
        let right = 8.0
        let top = 14.0
        let bottom = 30.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        // Four gridline steps of a "nice" size (1, 2, 2.5, 5 x 10^n), labelled with the decimals
        // the step needs.
        let step = niceStep((bars.map(\.value).max() ?? 0) / 4)
        let maxValue = step * 4
        let tickDecimals = decimals(for: step)
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" "
            + "class=\"chart\"><title>\(HTMLText.escape(title))</title>"
        for index in 0...4 {
            let value = step * Double(index)
            let y = top + plotHeight - plotHeight * Double(index) / 4
            svg +=
                "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(width - right))\" y2=\"\(f(y))\" class=\"grid\"/>"
            svg +=
                "<text x=\"\(f(left - 4))\" y=\"\(f(y + 3))\" class=\"axis\" text-anchor=\"end\">"
                + "\(NumberFormat.fixed(value, decimals: tickDecimals) ?? "")</text>"
        }
        svg +=
            "<text x=\"4\" y=\"\(f(top - 4))\" class=\"axis\">\(HTMLText.escape(unit))</text>"
        let slot = bars.isEmpty ? plotWidth : plotWidth / Double(bars.count)
        let labelEvery = bars.count > 16 ? 2 : 1
        for (index, bar) in bars.enumerated() {
            let barHeight = maxValue > 0 ? plotHeight * max(0, bar.value) / maxValue : 0
            let x = left + slot * Double(index) + slot * 0.15
            let y = top + plotHeight - barHeight
            svg +=
                "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(slot * 0.7))\" height=\"\(f(barHeight))\" class=\"bar\">"
                + "<title>\(HTMLText.escape(bar.label)): \(HTMLText.escape(bar.text)) \(HTMLText.escape(unit))</title></rect>"
            if index % labelEvery == 0 {
                svg +=
                    "<text x=\"\(f(left + slot * (Double(index) + 0.5)))\" y=\"\(f(height - bottom + 12))\" "
                    + "class=\"axis\" text-anchor=\"middle\">\(HTMLText.escape(bar.label))</text>"
            }
        }
        svg +=
            "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(width - right))\" "
            + "y2=\"\(f(top + plotHeight))\" class=\"baseline\"/></svg>"
        return svg
    }

    /// The colour classes of the coverage map: upper bounds as fractions of the busiest link.
    static let mapColors = ["#fde0a0", "#fdae61", "#f46d43", "#d73027", "#8b0000"]

    /// The coverage map: links coloured by automated km (or, when the store has no per-link
    /// distance, by vehicle-days driven), RSUs, and disengagement places.
    static func map(
        links: [LinkCoverageRow], rsus: [(id: String, point: GeoPoint)], events: [GeoPoint],
        width: Double = 680,
        height: Double = 440
    ) -> String {
        let byDistance = links.contains { $0.automatedMeters != nil }
        let measure: (LinkCoverageRow) -> Double = {
            byDistance ? ($0.automatedMeters ?? 0) / 1000 : Double($0.vehicleDays)
        }
        let unit = byDistance ? "automated km" : "vehicle-days"
        let decimals = byDistance ? Decimals.kilometers : 0
        var points = links.flatMap(\.points)
        points += rsus.map(\.point)
        points += events
        guard let first = points.first else { return "" }
        var minLat = first.latitude
        var maxLat = first.latitude
        var minLon = first.longitude
        var maxLon = first.longitude
        for point in points {
            minLat = min(minLat, point.latitude)
            maxLat = max(maxLat, point.latitude)
            minLon = min(minLon, point.longitude)
            maxLon = max(maxLon, point.longitude)
        }
        // Local equirectangular projection (metres) about the centre: adequate over a few km.
        let lat0 = (minLat + maxLat) / 2
        let lon0 = (minLon + maxLon) / 2
        let metersPerDegreeLat = 110_574.0
        let metersPerDegreeLon = 111_320.0 * cosine(lat0 * Double.pi / 180)
        func project(_ p: GeoPoint) -> (Double, Double) {
            ((p.longitude - lon0) * metersPerDegreeLon, (lat0 - p.latitude) * metersPerDegreeLat)
        }
        let spanX = max(1, (maxLon - minLon) * metersPerDegreeLon)
        let spanY = max(1, (maxLat - minLat) * metersPerDegreeLat)
        let margin = 24.0
        // Below the map: the legend row, then the scale bar and north arrow (outside the map, so
        // they never cover a link).
        let legendHeight = 56.0
        let scale = min((width - 2 * margin) / spanX, (height - 2 * margin - legendHeight) / spanY)
        let cx = width / 2
        let cy = (height - legendHeight) / 2
        func xy(_ p: GeoPoint) -> String {
            let (x, y) = project(p)
            return f(cx + x * scale) + "," + f(cy + y * scale)
        }
        let maxKm = links.map(measure).max() ?? 0
        func color(_ km: Double) -> String {
            guard km > 0, maxKm > 0 else { return "#c8c8c8" }
            let index = min(mapColors.count - 1, Int((km / maxKm * Double(mapColors.count)).rounded(.up)) - 1)
            return mapColors[max(0, index)]
        }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" "
            + "class=\"map\"><title>Road links coloured by \(unit)</title>"
            + "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height - legendHeight))\" class=\"mapbg\"/>"
        // Undriven links first so that driven ones draw on top.
        let ordered = links.map { (measure($0), $0) }.sorted { ($0.0, $0.1.id) < ($1.0, $1.1.id) }
        for (value, link) in ordered where link.points.count >= 2 {
            let shown = NumberFormat.fixed(value, decimals: decimals) ?? ""
            let name = link.name.isEmpty ? "" : " " + HTMLText.escape(link.name)
            svg += "<polyline points=\"\(link.points.map(xy).joined(separator: " "))\" "
            svg += "class=\"\(value > 0 ? "link" : "link idle")\" stroke=\"\(color(value))\">"
            svg +=
                "<title>\(HTMLText.escape(link.id))\(name) (\(HTMLText.escape(link.roadClass))): \(shown) \(unit)</title>"
            svg += "</polyline>"
        }
        for event in events {
            let (x, y) = project(event)
            let px = cx + x * scale
            let py = cy + y * scale
            svg +=
                "<path d=\"M\(f(px - 3.5)),\(f(py - 3.5))L\(f(px + 3.5)),\(f(py + 3.5))M\(f(px - 3.5)),\(f(py + 3.5))"
                + "L\(f(px + 3.5)),\(f(py - 3.5))\" class=\"diseng\"/>"
        }
        for rsu in rsus {
            let (x, y) = project(rsu.point)
            let px = cx + x * scale
            let py = cy + y * scale
            // Labels go right of the marker, or left of it near the right edge.
            let leftward = px > width - 70
            svg +=
                "<path d=\"M\(f(px)),\(f(py - 5))L\(f(px + 4.5)),\(f(py + 3.5))L\(f(px - 4.5)),\(f(py + 3.5))Z\" class=\"rsu\"/>"
                + "<text x=\"\(f(leftward ? px - 6 : px + 6))\" y=\"\(f(py - 3))\" class=\"rsulabel\""
                + "\(leftward ? " text-anchor=\"end\"" : "")>\(HTMLText.escape(rsu.id))</text>"
        }
        // Scale bar: a round length near a fifth of the width.
        let target = (width / 5) / scale
        let barMeters = niceFloor(target)
        let barPixels = barMeters * scale
        let sy = height - 10
        svg +=
            "<line x1=\"\(f(margin))\" y1=\"\(f(sy))\" x2=\"\(f(margin + barPixels))\" y2=\"\(f(sy))\" class=\"scalebar\"/>"
            + "<text x=\"\(f(margin))\" y=\"\(f(sy - 4))\" class=\"axis\">"
            + (barMeters >= 1000
                ? "\(NumberFormat.fixed(barMeters / 1000, decimals: barMeters.truncatingRemainder(dividingBy: 1000) == 0 ? 0 : 1) ?? "") km"
                : "\(NumberFormat.fixed(barMeters, decimals: 0) ?? "") m") + "</text>"
            + "<text x=\"\(f(margin + barPixels + 18))\" y=\"\(f(sy - 10))\" class=\"north\" text-anchor=\"middle\">N</text>"
            + "<path d=\"M\(f(margin + barPixels + 18)),\(f(sy - 8))L\(f(margin + barPixels + 22)),\(f(sy + 4))"
            + "L\(f(margin + barPixels + 14)),\(f(sy + 4))Z\" class=\"northarrow\"/>"
        // Legend.
        let ly = height - legendHeight + 14
        var lx = margin
        svg += "<text x=\"\(f(lx))\" y=\"\(f(ly + 4))\" class=\"axis\">\(unit) per link:</text>"
        lx += 118
        svg += legendSwatch(x: lx, y: ly, color: "#c8c8c8", dashed: true, label: "0")
        lx += 44
        for (index, colour) in mapColors.enumerated() {
            let low = maxKm * Double(index) / Double(mapColors.count)
            let high = maxKm * Double(index + 1) / Double(mapColors.count)
            let decimals = maxKm < 10 && byDistance ? 1 : 0
            let label =
                "\(NumberFormat.fixed(low, decimals: decimals) ?? "")-\(NumberFormat.fixed(high, decimals: decimals) ?? "")"
            svg += legendSwatch(x: lx, y: ly, color: colour, dashed: false, label: label)
            lx += 30 + 5.6 * Double(label.count)
        }
        svg +=
            "<path d=\"M\(f(lx - 3.5)),\(f(ly + 0.5))L\(f(lx + 3.5)),\(f(ly + 7.5))M\(f(lx - 3.5)),\(f(ly + 7.5))"
            + "L\(f(lx + 3.5)),\(f(ly + 0.5))\" class=\"diseng\"/>"
            + "<text x=\"\(f(lx + 7))\" y=\"\(f(ly + 8))\" class=\"axis\">disengagement</text>"
        lx += 92
        if !rsus.isEmpty {
            svg +=
                "<path d=\"M\(f(lx)),\(f(ly - 1))L\(f(lx + 4.5)),\(f(ly + 7.5))L\(f(lx - 4.5)),\(f(ly + 7.5))Z\" class=\"rsu\"/>"
                + "<text x=\"\(f(lx + 7))\" y=\"\(f(ly + 8))\" class=\"axis\">RSU</text>"
        }
        return svg + "</svg>"
    }

    private static func legendSwatch(x: Double, y: Double, color: String, dashed: Bool, label: String)
        -> String
    {
        "<line x1=\"\(f(x))\" y1=\"\(f(y + 4))\" x2=\"\(f(x + 16))\" y2=\"\(f(y + 4))\" stroke=\"\(color)\" "
            + "class=\"\(dashed ? "link idle" : "link")\"/>"
            + "<text x=\"\(f(x + 20))\" y=\"\(f(y + 8))\" class=\"axis\">\(HTMLText.escape(label))</text>"
    }

    /// The smallest "nice" step (1, 2, 2.5 or 5 x 10^n) at or above `value`; 0.25 for nothing.
    static func niceStep(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 0.25 }
        var exponent = 0
        var magnitude = 1.0
        while magnitude * 10 <= value {
            magnitude *= 10
            exponent += 1
        }
        while magnitude > value {
            magnitude /= 10
            exponent -= 1
        }
        for factor in [1.0, 2.0, 2.5, 5.0] where magnitude * factor >= value * (1 - 1e-12) {
            return magnitude * factor
        }
        return magnitude * 10
    }

    /// Decimals needed to print multiples of `step` exactly (0.25 -> 2, 0.5 -> 1, 20 -> 0).
    static func decimals(for step: Double) -> Int {
        var decimals = 0
        var scaled = step
        while decimals < 6, abs(scaled - scaled.rounded()) > 1e-9 * max(1, abs(scaled)) {
            scaled *= 10
            decimals += 1
        }
        return decimals
    }

    /// A "nice" length at or below `value` (1, 2, 5 x 10^n).
    static func niceFloor(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        var magnitude = 1.0
        while magnitude * 10 <= value { magnitude *= 10 }
        while magnitude > value { magnitude /= 10 }
        for factor in [5.0, 2.0, 1.0] where magnitude * factor <= value { return magnitude * factor }
        return magnitude
    }

    /// Coordinates with one decimal: enough for print, byte-stable.
    static func f(_ value: Double) -> String { NumberFormat.fixed(value, decimals: 1) ?? "0" }

    /// cos(x) by its Taylor series after range reduction, to avoid a Foundation dependency for
    /// one call; accurate to ~1e-12 over the reduced range.
    static func cosine(_ x: Double) -> Double {
        var r = x.truncatingRemainder(dividingBy: 2 * Double.pi)
        if r > Double.pi { r -= 2 * Double.pi }
        if r < -Double.pi { r += 2 * Double.pi }
        var term = 1.0
        var sum = 1.0
        let r2 = r * r
        for n in 1...20 {
            term *= -r2 / Double((2 * n - 1) * (2 * n))
            sum += term
        }
        return sum
    }
}
