#!/usr/bin/env python3
"""Compare a `testzone replay --db` database with the simulator's ground truth (truth.json).

Usage: compare_truth.py zone.sqlite truth.json
Checks (issue 7): disengagement, takeover, MRM and planned-deactivation counts exact by vehicle,
initiator and cause; automated km per vehicle and level within 0.5 %; takeover times within 1 ms;
covered links exact; rejected and duplicate counts exact. Exit status 1 on any mismatch.
"""
import json
import sqlite3
import sys
from collections import Counter


def main(db_path, truth_path):
    truth = json.load(open(truth_path))
    db = sqlite3.connect(db_path)
    problems = []

    def check(what, expected, actual):
        if expected != actual:
            problems.append(f"{what}: expected {expected}, got {actual}")

    for v in truth["vehicles"]:
        vin = v["vin"]
        rows = db.execute(
            "SELECT kind, initiator, cause, level FROM events WHERE vin = ?", (vin,)).fetchall()
        dis = Counter((i, c) for k, i, c, l in rows if k in ("disengagement", "inferred-disengagement"))
        exp = Counter((e["initiatorName"], e["causeName"]) for e in v["disengagements"])
        exp.update(("unknown", "unspecified") for _ in v["inferredDisengagements"])
        check(f"{vin} disengagements by initiator/cause", dict(exp), dict(dis))
        planned = Counter((i, c) for k, i, c, l in rows if k == "planned-deactivation")
        check(f"{vin} planned deactivations", dict(Counter((e["initiatorName"], e["causeName"]) for e in v["plannedDeactivations"])), dict(planned))
        check(f"{vin} MRMs", len(v["mrms"]), sum(1 for k, *_ in rows if k == "mrm-started"))
        check(f"{vin} collisions", len(v["collisions"]), sum(1 for k, *_ in rows if k == "collision"))
        check(f"{vin} severe failures", len(v["severeFailures"]), sum(1 for k, *_ in rows if k == "severe-failure"))
        tors = db.execute(
            "SELECT time_us, takeover_outcome, takeover_time_us FROM events WHERE vin = ? AND kind = 'takeover-request' ORDER BY time_us",
            (vin,)).fetchall()
        check(f"{vin} takeover requests", len(v["takeovers"]), len(tors))
        for t, (time_us, outcome, tt) in zip(v["takeovers"], tors):
            want = {"disengaged": "taken-over", "missed": "missed", "open": "open", "unresolved": "unresolved"}.get(t["outcome"], t["outcome"])
            check(f"{vin} takeover at {t['requested']['utc']} outcome", want, outcome)
            if want != "unresolved" and t.get("takeoverMs") is not None and tt is not None and abs(tt / 1000 - t["takeoverMs"]) > 1:
                problems.append(f"{vin} takeover time {tt / 1000} ms vs {t['takeoverMs']} ms")
        km = dict(db.execute(
            "SELECT level, SUM(distance_m) / 1000 FROM vehicle_daily WHERE vin = ? GROUP BY level", (vin,)).fetchall())
        for level, expected in v["automatedKm"].items():
            got = km.get(int(level), 0)
            if expected > 0 and abs(got - expected) / expected > 0.005:
                problems.append(f"{vin} L{level} km: expected {expected:.4f}, got {got:.4f}")
        links = {r[0] for r in db.execute("SELECT DISTINCT link_id FROM link_coverage WHERE vin = ?", (vin,))}
        exp_links = {l["link"] for l in v["linksAutomated"]}
        if links != exp_links:
            problems.append(f"{vin} covered links: missing {sorted(exp_links - links)}, extra {sorted(links - exp_links)}")
        cells = {r[0] for r in db.execute("SELECT DISTINCT cell FROM grid_coverage WHERE vin = ?", (vin,))}
        if cells != set(v["automatedCells"]):
            problems.append(f"{vin} cells: missing {sorted(set(v['automatedCells']) - cells)}, extra {sorted(cells - set(v['automatedCells']))}")

    faults = truth["faults"]
    rejected = db.execute("SELECT COALESCE(SUM(rejected), 0) FROM data_health").fetchone()[0]
    duplicates = db.execute("SELECT COALESCE(SUM(duplicates), 0) FROM data_health").fetchone()[0]
    check("rejected frames", sum(faults["corrupted"].values()), rejected)
    check("duplicate frames", sum(faults["duplicated"].values()), duplicates)
    for family in ("cv2x", "jt808"):
        r = db.execute("SELECT COALESCE(SUM(rejected), 0), COALESCE(SUM(duplicates), 0) FROM data_health WHERE source_id LIKE ?", (family + "/%",)).fetchone()
        check(f"{family} rejected", faults["corrupted"].get(family, 0), r[0])
        check(f"{family} duplicates", faults["duplicated"].get(family, 0), r[1])

    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} mismatch(es)")
        return 1
    print("metrics match the ground truth")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
