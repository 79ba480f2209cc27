#!/usr/bin/env python3
"""Markdown table of a `starling experiment` final.csv: one row per rule, one column per attack
and Byzantine fraction, with the drop from that rule's clean run in parentheses."""
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
rules = list(dict.fromkeys(r["rule"] for r in rows))
columns = list(dict.fromkeys((r["attack"], r["byzantineFraction"]) for r in rows if r["attack"] != "none"))
final = {}
for r in rows:
    final.setdefault((r["rule"], r["attack"], r["byzantineFraction"]), []).append(float(r["finalAccuracy"]))
def mean(values):
    return sum(values) / len(values)
clean = {rule: mean(v) for (rule, attack, _), v in final.items() if attack == "none"}
print("| rule | clean | " + " | ".join(f"{a} {float(f):.0%}" for a, f in columns) + " |")
print("| --- | --- | " + " | ".join("---" for _ in columns) + " |")
for rule in rules:
    cells = []
    for attack, fraction in columns:
        values = final.get((rule, attack, fraction))
        if not values:
            cells.append("")
            continue
        value = mean(values)
        drop = (clean.get(rule, value) - value) * 100
        cells.append(f"{value:.3f} ({-drop:+.1f})")
    print(f"| {rule} | {clean.get(rule, float('nan')):.3f} | " + " | ".join(cells) + " |")
