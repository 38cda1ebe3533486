/// The operations dashboard (`GET /`): one self-contained page (HTML, CSS, JavaScript; no CDN,
/// no build step). It loads the zone once (`/api/v1/zone`, `/api/v1/events`) and then follows
/// `/api/v1/events/stream?state=1` (EventSource): events as they are derived, and once a second
/// the vehicles, RSUs and counters. Map: inline SVG (road links, RSUs by status, vehicles as
/// heading markers coloured by automation state).
enum DashboardPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>TestZone operations</title>
        <style>
        :root { --bg:#f4f5f7; --card:#fff; --ink:#1c2430; --muted:#667085; --line:#d0d5dd;
          --active:#1a7f37; --tor:#d97706; --mrm:#c0262d; --available:#2563eb; --off:#8a94a6; }
        * { box-sizing: border-box; }
        body { margin:0; font:13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--ink); }
        header { display:flex; flex-wrap:wrap; gap:4px 18px; align-items:baseline; padding:8px 14px; background:#101828; color:#fff; }
        header h1 { font-size:16px; margin:0; }
        header .kv { color:#d0d5dd; } header .kv b { color:#fff; font-weight:600; }
        #conn.ok { color:#4ade80; } #conn.bad { color:#f87171; }
        main { display:grid; gap:10px; padding:10px; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
          grid-template-areas: "map events" "vehicles vehicles" "rsus health"; }
        section { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:8px 10px; min-width:0; }
        section h2 { font-size:13px; margin:0 0 6px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); }
        #mapbox { grid-area:map; } #eventsbox { grid-area:events; } #vehiclesbox { grid-area:vehicles; }
        #rsusbox { grid-area:rsus; } #healthbox { grid-area:health; }
        svg#map { width:100%; height:auto; max-height:52vh; background:#eef2f6; border-radius:4px; display:block; }
        .link { fill:none; stroke:#9aa4b2; stroke-width:2; vector-effect:non-scaling-stroke; }
        .rsu { stroke:#fff; stroke-width:1.5; vector-effect:non-scaling-stroke; }
        .rsu.up { fill:var(--active); } .rsu.silent { fill:var(--mrm); } .rsu.never-seen { fill:var(--off); }
        .veh path { stroke:#fff; stroke-width:1; vector-effect:non-scaling-stroke; }
        .st-active { fill:var(--active); color:var(--active); } .st-takeover-requested { fill:var(--tor); color:var(--tor); }
        .st-mrm { fill:var(--mrm); color:var(--mrm); } .st-available { fill:var(--available); color:var(--available); }
        .st-off, .st-unknown { fill:var(--off); color:var(--off); }
        .legend { display:flex; flex-wrap:wrap; gap:10px; margin-top:4px; color:var(--muted); }
        .legend i { display:inline-block; width:10px; height:10px; border-radius:50%; margin-right:4px; vertical-align:-1px; }
        .scroll { overflow:auto; max-height:52vh; }
        #vehiclesbox .scroll { max-height:40vh; }
        table { width:100%; border-collapse:collapse; }
        th, td { text-align:left; padding:3px 6px; border-bottom:1px solid #eef0f3; white-space:nowrap; }
        th { position:sticky; top:0; background:var(--card); color:var(--muted); font-weight:600; }
        td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
        tr.alarm td { background:#fff4f4; }
        tr.fresh td { animation: flash 2s ease-out; }
        @keyframes flash { from { background:#fff7d6; } to { background:transparent; } }
        .badge { font-weight:600; }
        .muted { color:var(--muted); }
        .totals { display:flex; flex-wrap:wrap; gap:4px 14px; margin-bottom:6px; }
        @media (max-width: 900px) {
          main { grid-template-columns: minmax(0, 1fr); grid-template-areas: "map" "events" "vehicles" "rsus" "health"; padding:6px; gap:6px; }
          svg#map { max-height:45vh; } .scroll { max-height:40vh; }
          .wide { display:none; }
        }
        </style>
        </head>
        <body>
        <header>
          <h1 id="zone">TestZone</h1>
          <span class="kv">data time <b id="dataTime">-</b></span>
          <span class="kv">frames <b id="frames">0</b></span>
          <span class="kv">ingest <b id="rate">-</b> frames/s</span>
          <span class="kv">vehicles <b id="vehCount">0</b></span>
          <span class="kv">mode <b id="mode">-</b></span>
          <span class="kv" id="conn">connecting</span>
        </header>
        <main>
          <section id="mapbox"><h2>Zone map</h2>
            <svg id="map" viewBox="0 0 1000 600" preserveAspectRatio="xMidYMid meet" role="img" aria-label="zone map">
              <g id="links"></g><g id="rsuLayer"></g><g id="vehLayer"></g>
            </svg>
            <div class="legend">
              <span><i class="st-active" style="background:var(--active)"></i>active</span>
              <span><i style="background:var(--tor)"></i>takeover requested</span>
              <span><i style="background:var(--mrm)"></i>MRM</span>
              <span><i style="background:var(--available)"></i>available</span>
              <span><i style="background:var(--off)"></i>off</span>
              <span class="muted">circles: RSUs (green up, red silent, grey never seen)</span>
            </div>
          </section>
          <section id="eventsbox"><h2>Events <span class="muted" id="eventCount"></span></h2>
            <div class="scroll"><table><thead><tr><th>#</th><th>time (UTC)</th><th>event</th><th>vehicle / source</th><th class="wide">detail</th></tr></thead>
            <tbody id="events"></tbody></table></div>
          </section>
          <section id="vehiclesbox"><h2>Vehicles</h2>
            <div class="scroll"><table><thead><tr><th>VIN</th><th>plate</th><th class="wide">operator</th><th>state</th><th class="num">level</th>
              <th class="num">km/h</th><th class="num">last fix s</th><th class="num">today km</th><th class="num">today dis.</th>
              <th class="num wide">month km</th><th class="num wide">month dis.</th><th class="wide">flags</th></tr></thead>
            <tbody id="vehicles"></tbody></table></div>
          </section>
          <section id="rsusbox"><h2>RSUs</h2>
            <div class="scroll"><table><thead><tr><th>RSU</th><th>status</th><th class="num">frames/s</th><th class="num">last frame s</th>
              <th class="num">frames</th><th class="wide">BSM reception by band</th></tr></thead>
            <tbody id="rsus"></tbody></table></div>
          </section>
          <section id="healthbox"><h2>Data health</h2>
            <div class="totals" id="healthTotals"></div>
            <div class="scroll"><table><thead><tr><th>source</th><th class="num">received</th><th class="num">rejected</th>
              <th class="num">dup.</th><th class="num">gaps</th><th class="wide">reasons</th></tr></thead>
            <tbody id="health"></tbody></table></div>
          </section>
        </main>
        <script id="initial" type="application/json">/*INITIAL*/null</script>
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const NS = "http://www.w3.org/2000/svg";
        const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"}[c]));
        const fmt = (n, d = 0) => (n === null || n === undefined) ? "-" : Number(n).toLocaleString("en-US", {minimumFractionDigits:d, maximumFractionDigits:d});
        let proj = null, lastFrames = null, lastTick = null, eventRows = 0;

        function makeProjection(points) {
          if (!points.length) return null;
          let minLat = 90, maxLat = -90, minLon = 180, maxLon = -180;
          for (const [lon, lat] of points) { minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat); minLon = Math.min(minLon, lon); maxLon = Math.max(maxLon, lon); }
          const k = Math.cos((minLat + maxLat) / 2 * Math.PI / 180);
          const w = Math.max((maxLon - minLon) * k, 1e-5), h = Math.max(maxLat - minLat, 1e-5);
          const pad = 30, W = 1000, H = Math.max(300, Math.min(700, W * h / w));
          $("map").setAttribute("viewBox", `0 0 ${W} ${H}`);
          const s = Math.min((W - 2 * pad) / w, (H - 2 * pad) / h);
          const ox = (W - w * s) / 2, oy = (H - h * s) / 2;
          return (lon, lat) => [ox + (lon - minLon) * k * s, H - oy - (lat - minLat) * s];
        }

        function drawZone(zone) {
          $("zone").textContent = zone.name;
          $("mode").textContent = zone.mode;
          const pts = [];
          for (const f of zone.roadLinks.features) for (const c of f.geometry.coordinates) pts.push(c);
          for (const r of zone.rsus) pts.push([r.longitude, r.latitude]);
          proj = makeProjection(pts);
          const links = $("links"); links.replaceChildren();
          if (!proj) return;
          for (const f of zone.roadLinks.features) {
            const p = document.createElementNS(NS, "polyline");
            p.setAttribute("class", "link");
            p.setAttribute("points", f.geometry.coordinates.map(([lon, lat]) => proj(lon, lat).map((v) => v.toFixed(1)).join(",")).join(" "));
            const t = document.createElementNS(NS, "title"); t.textContent = `${f.properties.name ?? ""} ${f.properties.id}`; p.appendChild(t);
            links.appendChild(p);
          }
          drawRSUs(zone.rsus.map((r) => ({...r, status: "never-seen"})));
        }

        function drawRSUs(rsus) {
          if (!proj) return;
          const layer = $("rsuLayer"); layer.replaceChildren();
          for (const r of rsus) {
            const [x, y] = proj(r.longitude, r.latitude);
            const c = document.createElementNS(NS, "circle");
            c.setAttribute("class", `rsu ${r.status}`); c.setAttribute("cx", x.toFixed(1)); c.setAttribute("cy", y.toFixed(1)); c.setAttribute("r", 9);
            const t = document.createElementNS(NS, "title"); t.textContent = `${r.id}: ${r.status}`; c.appendChild(t);
            layer.appendChild(c);
          }
        }

        function drawVehicles(vehicles) {
          const layer = $("vehLayer"); layer.replaceChildren();
          $("vehCount").textContent = vehicles.filter((v) => v.lastFix).length + " / " + vehicles.length;
          if (!proj) return;
          for (const v of vehicles) {
            if (!v.lastFix) continue;
            const [x, y] = proj(v.lastFix.longitude, v.lastFix.latitude);
            const g = document.createElementNS(NS, "g");
            g.setAttribute("class", `veh st-${v.state ?? "unknown"}`);
            g.setAttribute("data-vin", v.vin);
            g.setAttribute("transform", `translate(${x.toFixed(1)},${y.toFixed(1)}) rotate(${(v.lastFix.heading ?? 0).toFixed(0)})`);
            const p = document.createElementNS(NS, "path"); p.setAttribute("d", "M0,-16 L11,12 L0,6 L-11,12 Z");
            const t = document.createElementNS(NS, "title"); t.textContent = `${v.vin} ${v.plate} ${v.state ?? ""} L${v.level ?? "-"}`;
            g.appendChild(p); g.appendChild(t); layer.appendChild(g);
          }
        }

        function vehicleTable(vehicles) {
          $("vehicles").innerHTML = vehicles.map((v) => {
            const f = v.flags ? [v.flags.safetyDriver ? "driver" : "", v.flags.remoteOperator ? "remote" : "", v.flags.v2x ? "V2X" : ""].filter(Boolean).join(" ") : "";
            return `<tr class="vehicle-row"><td>${esc(v.vin)}</td><td>${esc(v.plate)}</td><td class="wide">${esc(v.operatorID)}</td>
              <td class="badge st-${esc(v.state ?? "unknown")}">${esc(v.state ?? "-")}</td><td class="num">${v.level ?? "-"}</td>
              <td class="num">${v.lastFix ? fmt(v.lastFix.speed * 3.6) : "-"}</td><td class="num">${fmt(v.secondsSinceLastFix, 1)}</td>
              <td class="num">${fmt(v.today?.automatedKilometres, 2)}</td><td class="num">${v.today?.disengagements ?? "-"}</td>
              <td class="num wide">${fmt(v.month?.automatedKilometres, 2)}</td><td class="num wide">${v.month?.disengagements ?? "-"}</td>
              <td class="wide">${esc(f)}</td></tr>`;
          }).join("");
        }

        function rsuTable(rsus) {
          $("rsus").innerHTML = rsus.map((r) => `<tr><td>${esc(r.id)}</td><td class="badge rsu-${esc(r.status)}">${esc(r.status)}</td>
            <td class="num">${fmt(r.framesPerSecond, 1)}</td><td class="num">${fmt(r.secondsSinceLastFrame, 1)}</td><td class="num">${fmt(r.frames)}</td>
            <td class="wide">${r.reception.map((b) => `${esc(b.band)} ${b.ratio === null || b.ratio === undefined ? "-" : Math.round(b.ratio * 100) + "%"}`).join(", ")}</td></tr>`).join("");
        }

        function healthPanel(h) {
          $("healthTotals").innerHTML = `<span>received <b>${fmt(h.received)}</b></span><span>decoded <b>${fmt(h.decoded)}</b></span>
            <span>rejected <b>${fmt(h.rejected)}</b></span><span>duplicates <b>${fmt(h.duplicates)}</b></span><span>unattributed BSMs <b>${fmt(h.unattributedBSMs)}</b></span>`;
          $("health").innerHTML = h.sources.map((s) => `<tr><td>${esc(s.source)}</td><td class="num">${fmt(s.received)}</td><td class="num">${fmt(s.rejected)}</td>
            <td class="num">${fmt(s.duplicates)}</td><td class="num">${fmt(s.sequenceGaps)}</td>
            <td class="wide">${esc(Object.entries(s.rejectedByReason).map(([k, n]) => `${k} ${n}`).join("; "))}</td></tr>`).join("")
            || `<tr><td colspan="6" class="muted">no source with rejected frames or gaps</td></tr>`;
        }

        function addEvent(e, fresh) {
          const detail = e.alarm ? e.message : [e.level !== null && e.level !== undefined ? `L${e.level}` : "", e.initiator, e.cause,
            e.outcome ? `${e.outcome} ${fmt(e.takeoverSeconds, 1)} s` : "", e.link ? `link ${e.link}` : ""].filter(Boolean).join(" · ");
          const tr = document.createElement("tr");
          tr.className = "event-row" + (e.alarm ? " alarm" : "") + (fresh ? " fresh" : "");
          tr.innerHTML = `<td class="num">${e.id}</td><td>${esc(e.time.slice(11, 19))}</td><td class="badge">${esc(e.kind)}</td>
            <td>${esc(e.vin ?? e.source ?? "")}</td><td class="wide">${esc(detail)}</td>`;
          const body = $("events"); body.insertBefore(tr, body.firstChild);
          while (body.children.length > 300) body.removeChild(body.lastChild);
          eventRows += 1; $("eventCount").textContent = `(${eventRows})`;
          return e.id;
        }

        function applyState(s) {
          $("dataTime").textContent = s.dataTime ? s.dataTime.replace("T", " ").slice(0, 19) + " UTC" : "-";
          $("frames").textContent = fmt(s.frames);
          const now = performance.now();
          if (lastFrames !== null && now > lastTick) $("rate").textContent = fmt((s.frames - lastFrames) / ((now - lastTick) / 1000));
          lastFrames = s.frames; lastTick = now;
          drawVehicles(s.vehicles); vehicleTable(s.vehicles); drawRSUs(s.rsus); rsuTable(s.rsus); healthPanel(s.health);
        }

        // With --tokens the console needs a bearer token: from ?access_token= in the page's URL,
        // or asked for once and kept for the browser tab (sessionStorage).
        const params = new URLSearchParams(location.search);
        let token = params.get("access_token") || sessionStorage.getItem("testzone-token") || "";
        if (token) sessionStorage.setItem("testzone-token", token);
        async function api(path) {
          let response = await fetch(path, {headers: token ? {Authorization: "Bearer " + token} : {}});
          if (response.status === 401) {
            token = (prompt("Console token (testzone tokens add)") || "").trim();
            sessionStorage.setItem("testzone-token", token);
            response = await fetch(path, {headers: token ? {Authorization: "Bearer " + token} : {}});
          }
          if (!response.ok) throw new Error(path + ": " + response.status + " " + (await response.text()));
          return response.json();
        }

        async function start() {
          // The server inlines the zone, the latest events and the state into the page (drawn at
          // once); the stream then takes over from the last event id.
          const initial = JSON.parse($("initial").textContent);
          const zone = initial ? initial.zone : await api("/api/v1/zone");
          drawZone(zone);
          let last = 0;
          const recent = initial ? initial.events : await api("/api/v1/events?since=0&limit=10000");
          for (const e of recent.slice(-300)) last = addEvent(e, false);
          if (initial) applyState(initial.state);
          const query = new URLSearchParams({state: "1"});
          if (last) query.set("lastEventId", last);
          if (token) query.set("access_token", token);
          const source = new EventSource("/api/v1/events/stream?" + query);
          source.onopen = () => { $("conn").textContent = "live"; $("conn").className = "kv ok"; };
          source.onerror = () => { $("conn").textContent = "reconnecting"; $("conn").className = "kv bad"; };
          source.onmessage = (m) => addEvent(JSON.parse(m.data), true);
          source.addEventListener("state", (m) => applyState(JSON.parse(m.data)));
          source.addEventListener("gap", (m) => addEvent({id: "-", time: "", kind: "gap", alarm: true, message: JSON.parse(m.data).message}, true));
        }
        start().catch((e) => { $("conn").textContent = "error: " + e; $("conn").className = "kv bad"; });
        </script>
        </body>
        </html>
        """#
}
