#!/usr/bin/env python3
"""Starling vs PyTorch on Fashion-MNIST, measured side by side in one session.

Runs `starling bench` and shared/bench/torch_fmnist.py alternately (A B A B ...) for each model
and thread count, with the same recipe (batch 64, SGD 0.05 momentum 0.9, same normalisation),
and prints medians and Starling/PyTorch ratios as a Markdown table plus one JSON line.

Usage: Benchmarks/compare_pytorch.py [--repeats 3] [--epochs 1] [--python /tmp/peers/bin/python]
       [--models mlp cnn] [--threads 1 2]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCH_SCRIPT = os.path.join(ROOT, "..", "shared", "bench", "torch_fmnist.py")


def run_json(command, env_extra=None):
    env = dict(os.environ)
    env["T0"] = repr(time.time())  # launch timestamp taken just before exec, as the torch script expects
    env.update(env_extra or {})
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def starling(model, threads, epochs):
    r = run_json([os.path.join(ROOT, ".build/release/starling"), "bench", "--model",
                  "mlp" if model == "mlp" else "cnn-small", "--threads", str(threads),
                  "--epochs", str(epochs), "--json"])
    return {"samples_per_s": r["samplesPerSecond"][0], "accuracy": r["testAccuracy"],
            "launch_to_first_step_s": r["launchToFirstStepSeconds"], "peak_rss_mb": r["peakResidentMegabytes"]}


def torch(python, model, threads, epochs):
    r = run_json([python, TORCH_SCRIPT, "--model", model, "--threads", str(threads), "--epochs", str(epochs)],
                 {"OMP_NUM_THREADS": str(threads)})
    e = r["epochs_detail"][0]
    return {"samples_per_s": e["samples_per_s"], "accuracy": r["epochs_detail"][-1]["test_acc"],
            "launch_to_first_step_s": r["t_launch_to_first_step_s"], "peak_rss_mb": r["peak_rss_mb"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--python", default="/tmp/peers/bin/python")
    ap.add_argument("--models", nargs="+", default=["mlp", "cnn"])
    ap.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    args = ap.parse_args()
    rows = []
    for model in args.models:
        for threads in args.threads:
            runs = {"starling": [], "pytorch": []}
            for _ in range(args.repeats):
                runs["pytorch"].append(torch(args.python, model, threads, args.epochs))
                runs["starling"].append(starling(model, threads, args.epochs))
            med = {system: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for system, rs in runs.items()}
            rows.append({"model": model, "threads": threads, "repeats": args.repeats, "epochs": args.epochs,
                         "starling": med["starling"], "pytorch": med["pytorch"],
                         "throughput_ratio": med["starling"]["samples_per_s"] / med["pytorch"]["samples_per_s"],
                         "memory_ratio": med["starling"]["peak_rss_mb"] / med["pytorch"]["peak_rss_mb"],
                         "startup_ratio": med["starling"]["launch_to_first_step_s"] / med["pytorch"]["launch_to_first_step_s"]})
            print(f"done {model} x{threads}", file=sys.stderr, flush=True)
    print("| model | threads | Starling samples/s | PyTorch samples/s | ratio | Starling peak RSS MB | PyTorch peak RSS MB | "
          "memory ratio | Starling launch->first step s | PyTorch s | startup ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        s, p = r["starling"], r["pytorch"]
        print(f"| {r['model']} | {r['threads']} | {s['samples_per_s']:.0f} | {p['samples_per_s']:.0f} | "
              f"**{r['throughput_ratio']:.2f}** | {s['peak_rss_mb']:.0f} | {p['peak_rss_mb']:.0f} | "
              f"{r['memory_ratio']:.3f} | {s['launch_to_first_step_s']:.3f} | {p['launch_to_first_step_s']:.2f} | "
              f"{r['startup_ratio']:.3f} |")
    print(json.dumps({"benchmark": "compare_pytorch", "rows": rows}))


if __name__ == "__main__":
    main()
