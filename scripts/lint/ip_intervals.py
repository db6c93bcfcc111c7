"""IPv4 address sets as sorted, merged lists of (lo, hi) integer intervals: parsed from ranges or CIDRs, merged,
compared and subtracted (the traffic matrix's ```ipsets and the analyser's ip: endpoints, scripts/lint/check_network.py)."""

import ipaddress


def parse_ips(text):
    """'10.0.96.0-10.0.98.255,172.20.0.1' or CIDRs '10.0.96.0/24,...' -> merged list of (lo, hi) ints."""
    intervals = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            lo, hi = part.split("-")
            intervals.append((int(ipaddress.IPv4Address(lo)), int(ipaddress.IPv4Address(hi))))
        else:
            net = ipaddress.IPv4Network(part, strict=True)
            intervals.append((int(net.network_address), int(net.broadcast_address)))
    return merge(intervals)


def merge(intervals):
    merged = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def contains(outer, inner):
    return all(any(olo <= lo and hi <= ohi for olo, ohi in outer) for lo, hi in inner)


def subtract(intervals, holes):
    out = []
    for lo, hi in intervals:
        pieces = [(lo, hi)]
        for hlo, hhi in holes:
            next_pieces = []
            for plo, phi in pieces:
                if hhi < plo or hlo > phi:
                    next_pieces.append((plo, phi))
                    continue
                if plo < hlo:
                    next_pieces.append((plo, hlo - 1))
                if hhi < phi:
                    next_pieces.append((hhi + 1, phi))
            pieces = next_pieces
        out += pieces
    return merge(out)
