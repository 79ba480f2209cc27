#!/usr/bin/env python3
"""NumPy reference for `starling bench --aggregation`: the same rules on the same sizes.

Each rule is written the way a NumPy user would write it (vectorised over the whole n x d
matrix, pairwise distances through one Gram matrix), not tuned further. Prints the median seconds
of --repeats runs per rule, and with --json one JSON line at the end.

    python3 Benchmarks/aggregation_reference.py --updates 100 --parameters 1000000 --json
"""

import argparse
import json
import time

import numpy as np


def pairwise_squared(x):
    norms = np.einsum("ij,ij->i", x, x).astype(np.float64)
    gram = (x @ x.T).astype(np.float64)
    return np.maximum(norms[:, None] + norms[None, :] - 2 * gram, 0)


def krum_scores(d2, f):
    n = d2.shape[0]
    sorted_rows = np.sort(d2 + np.diag(np.full(n, np.inf)), axis=1)
    return sorted_rows[:, : n - f - 2].sum(axis=1)


def krum(x, f):
    return x[np.argmin(krum_scores(pairwise_squared(x), f))]


def multikrum(x, f):
    chosen = np.argsort(krum_scores(pairwise_squared(x), f))[: x.shape[0] - f]
    return x[chosen].mean(axis=0)


def bulyan(x, f):
    n = x.shape[0]
    d2 = pairwise_squared(x)
    remaining = list(range(n))
    chosen = []
    while len(chosen) < n - 2 * f:
        sub = d2[np.ix_(remaining, remaining)] + np.diag(np.full(len(remaining), np.inf))
        k = max(len(remaining) - f - 2, 1)
        scores = np.sort(sub, axis=1)[:, :k].sum(axis=1)
        chosen.append(remaining.pop(int(np.argmin(scores))))
    theta, beta = n - 2 * f, n - 4 * f
    s = np.sort(x[chosen], axis=0)
    median = np.median(s, axis=0)
    # The beta values closest to the median, per coordinate.
    order = np.argsort(np.abs(s - median), axis=0)[:beta]
    return np.take_along_axis(s, order, axis=0).mean(axis=0)


def trimmed_mean(x, f):
    n = x.shape[0]
    part = np.partition(x, (f, n - f - 1), axis=0)
    return part[f : n - f].mean(axis=0)


def geometric_median(x, nu=1e-6, iterations=500, tolerance=1e-7):
    z = x.mean(axis=0)
    for _ in range(iterations):
        distances = np.linalg.norm(x - z, axis=1)
        w = 1 / np.maximum(nu, distances)
        new = (w[:, None] * x).sum(axis=0) / w.sum()
        step = np.linalg.norm(new - z)
        z = new
        if step <= tolerance * np.median(distances):
            break
    return z


def centered_clip(x, previous, iterations=5):
    v = previous.copy()
    for _ in range(iterations):
        diff = x - v
        distances = np.linalg.norm(diff, axis=1)
        tau = np.median(distances)
        scale = np.minimum(1, tau / np.maximum(distances, 1e-30))
        v = v + (scale[:, None] * diff).mean(axis=0)
    return v


def majority_cluster(distances):
    """HDBSCAN with min cluster size n/2 + 1, min samples 1, single cluster allowed: the first
    component to reach n/2 + 1 points when the minimum spanning tree's edges are added in
    increasing order (Prim's tree, then union-find)."""
    n = distances.shape[0]
    in_tree = np.zeros(n, bool)
    best = np.full(n, np.inf)
    nearest = np.zeros(n, int)
    edges = []
    current = 0
    in_tree[0] = True
    for _ in range(n - 1):
        closer = (~in_tree) & (distances[current] < best)
        best[closer] = distances[current][closer]
        nearest[closer] = current
        candidates = np.where(~in_tree, best, np.inf)
        nxt = int(np.argmin(candidates))
        in_tree[nxt] = True
        edges.append((best[nxt], nearest[nxt], nxt))
        current = nxt
    parent = list(range(n))
    size = [1] * n

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for _, a, b in sorted(edges):
        ra, rb = find(a), find(b)
        parent[ra] = rb
        size[rb] += size[ra]
        if size[rb] >= n // 2 + 1:
            return [i for i in range(n) if find(i) == rb]
    return list(range(n))


def flame(x, rng, noise_level=0.001):
    gram = (x @ x.T).astype(np.float64)
    norms = np.sqrt(np.diag(gram))
    cosine = gram / np.maximum(np.outer(norms, norms), 1e-30)
    accepted = majority_cluster(np.clip(1 - cosine, 0, 2))
    bound = np.median(norms)
    scale = np.minimum(1, bound / norms[accepted])
    aggregate = (scale[:, None] * x[accepted]).mean(axis=0)
    return aggregate + rng.standard_normal(x.shape[1], dtype=np.float32) * (noise_level * bound)


def nnm(x, f):
    n = x.shape[0]
    d2 = pairwise_squared(x)
    np.fill_diagonal(d2, -1)
    nearest = np.argsort(d2, axis=1, kind="stable")[:, : n - f]
    mixing = np.zeros((n, n), np.float32)
    np.put_along_axis(mixing, nearest, 1 / (n - f), axis=1)
    return mixing @ x


def bucketing(x, rng, size=2):
    permuted = x[rng.permutation(x.shape[0])]
    return [permuted[i : i + size].mean(axis=0) for i in range(0, x.shape[0], size)]


def clip(x, threshold=100.0):
    norms = np.linalg.norm(x, axis=1)
    return x * np.minimum(1, threshold / norms)[:, None]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--parameters", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rules", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    n, d = args.updates, args.parameters
    f = n // 10
    rng = np.random.default_rng(0)
    center = rng.random(d, dtype=np.float32) - 0.5
    x = center + 0.5 * (rng.random((n, d), dtype=np.float32) - 0.5)
    previous = x[0] * 0.5
    rules = {
        "mean": lambda: np.average(x, axis=0, weights=np.ones(n, np.float32)),
        "median": lambda: np.median(x, axis=0),
        "trimmedmean": lambda: trimmed_mean(x, f),
        "krum": lambda: krum(x, f),
        "multikrum": lambda: multikrum(x, f),
        "bulyan": lambda: bulyan(x, f),
        "geomedian": lambda: geometric_median(x),
        "centeredclip": lambda: centered_clip(x, previous),
        "flame": lambda: flame(x, rng),
        "nnm": lambda: nnm(x, f),
        "bucketing": lambda: bucketing(x, rng),
        "clip": lambda: clip(x),
    }
    names = args.rules.split(",") if args.rules else list(rules)
    seconds = {}
    for name in names:
        samples = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            rules[name]()
            samples.append(time.perf_counter() - start)
        seconds[name] = sorted(samples)[len(samples) // 2]
        print(f"{name:13s} {seconds[name]:8.3f} s", flush=True)
    if args.json:
        print(json.dumps({"command": "numpy-aggregation", "numpy": np.__version__,
                          "updates": n, "parameters": d, "byzantine": f,
                          "repeats": args.repeats, "seconds": seconds}, sort_keys=True))


if __name__ == "__main__":
    main()
