"""File server benchmark: N clients download a firmware image at once from the built-in
FileServer and from a bare aiohttp static route (the ceiling), in the same run; then N parallel
uploads to the FileServer. Figures go to benchmarks/results/file_server.json; nothing is asserted.

    .venv/bin/python benchmarks/file_server.py [--size-mb 50 --clients 20 --rounds 3 --upload-mb 10]

Each server runs in a process of its own, and so do the clients, so neither side's CPU is
counted for the other. Throughput is the best of --rounds rounds: (clients x size) / wall time
from the first request to the last byte. Server RSS is sampled before and after the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import _results

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.domain import firmware  # noqa: E402


# -- the servers (child processes) -----------------------------------------------------------------

async def _serve_fileserver(args: argparse.Namespace) -> None:
    from app.files import library, server

    data = pathlib.Path(args.dir)
    lib = library.Library(data)
    fw = await asyncio.to_thread(lib.add, pathlib.Path(args.image))
    srv = server.FileServer(data, lib, host="127.0.0.1", ftp=False, min_free_bytes=0)
    await srv.start()
    downloads = [srv.grant_download(f"BENCH-{i:03d}", fw, "127.0.0.1").url
                 for i in range(args.clients * args.rounds)]
    ups = [srv.grant_upload(f"BENCH-{i:03d}", i, "127.0.0.1", via="http").location for i in range(args.clients)]
    print(json.dumps({"pid": os.getpid(), "downloads": downloads, "uploads": ups}), flush=True)
    await asyncio.to_thread(sys.stdin.read)  # until the orchestrator closes our stdin
    await srv.stop()


async def _serve_bare(args: argparse.Namespace) -> None:
    from aiohttp import web

    image = pathlib.Path(args.image)
    app = web.Application()
    app.router.add_static("/static/", image.parent)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}/static/{image.name}"
    print(json.dumps({"pid": os.getpid(), "downloads": [url] * (args.clients * args.rounds)}), flush=True)
    await asyncio.to_thread(sys.stdin.read)
    await runner.cleanup()


# -- the clients (a child process) -------------------------------------------------------------------

async def _clients(args: argparse.Namespace) -> None:
    import aiohttp

    job = json.loads(sys.stdin.readline())
    timeout = aiohttp.ClientTimeout(total=600)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        async def get(url: str) -> int:
            n = 0
            async with http.get(url) as resp:
                resp.raise_for_status()
                async for chunk in resp.content.iter_chunked(1 << 18):
                    n += len(chunk)
            return n

        payload = os.urandom(job.get("upload_bytes", 0)) if job["kind"] == "upload" else b""

        async def put(location: str, i: int) -> int:
            async with http.put(location + f"bench-{i}.bin", data=payload) as resp:
                resp.raise_for_status()
                return (await resp.json())["bytes"]

        start = time.perf_counter()
        if job["kind"] == "download":
            done = await asyncio.gather(*(get(u) for u in job["urls"]))
        else:
            done = await asyncio.gather(*(put(u, i) for i, u in enumerate(job["urls"])))
        seconds = time.perf_counter() - start
    print(json.dumps({"bytes": sum(done), "seconds": seconds, "each": done}), flush=True)


# -- the orchestrator ------------------------------------------------------------------------------

def _spawn(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=REPO)


def _run_clients(kind: str, urls: list[str], upload_bytes: int = 0) -> dict:
    proc = _spawn("--role", "clients")
    out, _ = proc.communicate(json.dumps({"kind": kind, "urls": urls, "upload_bytes": upload_bytes}) + "\n",
                              timeout=900)
    if proc.returncode:
        raise RuntimeError(f"client process failed ({proc.returncode})")
    return json.loads(out.strip().splitlines()[-1])


def _rss(pid: int) -> int:
    import psutil

    return psutil.Process(pid).memory_info().rss


def _measure(common: list[str], args: argparse.Namespace, size: int) -> dict:
    """Both servers up at once, their rounds interleaved (bare, ours, bare, ours ...), so page
    cache, CPU frequency and other load on the host weigh on both alike."""
    servers = {name: _spawn("--role", name, *common) for name in ("bare", "fileserver")}
    info = {}
    for name, proc in servers.items():
        assert proc.stdout is not None
        info[name] = json.loads(proc.stdout.readline())
    rss_before = {name: _rss(i["pid"]) for name, i in info.items()}
    rounds: dict[str, list[float]] = {name: [] for name in servers}
    for r in range(args.rounds):
        for name in servers:
            urls = info[name]["downloads"][r * args.clients:(r + 1) * args.clients]
            got = _run_clients("download", urls)
            if any(n != size for n in got["each"]):
                raise RuntimeError(f"{name}: a download came back short: {got['each']}")
            rounds[name].append(got["bytes"] / got["seconds"] / 1e6)
    results = {}
    for name in servers:
        results[name] = {"mb_per_s_rounds": [round(x, 1) for x in rounds[name]],
                         "mb_per_s_best": round(max(rounds[name]), 1),
                         "rss_before_mb": round(rss_before[name] / 1e6, 1),
                         "rss_after_mb": round(_rss(info[name]["pid"]) / 1e6, 1)}
    up = _run_clients("upload", info["fileserver"]["uploads"], args.upload_mb << 20)
    results["fileserver"]["uploads"] = {"clients": len(info["fileserver"]["uploads"]), "mb_each": args.upload_mb,
                                        "mb_per_s": round(up["bytes"] / up["seconds"] / 1e6, 1),
                                        "rss_after_mb": round(_rss(info["fileserver"]["pid"]) / 1e6, 1)}
    for proc in servers.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--upload-mb", type=int, default=10)
    parser.add_argument("--role", default="orchestrator", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--image", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "fileserver":
        return asyncio.run(_serve_fileserver(args))
    if args.role == "bare":
        return asyncio.run(_serve_bare(args))
    if args.role == "clients":
        return asyncio.run(_clients(args))

    results = {"benchmark": "file_server", **_results.provenance(),
               "size_mb": args.size_mb, "clients": args.clients, "rounds": args.rounds, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="fs-bench-") as tmp:
        image = pathlib.Path(tmp) / "image" / "wallbox-9.9.9.bin"
        image.parent.mkdir()
        with open(image, "wb") as f:
            f.write(firmware.manifest_header("9.9.9"))
            for _ in range(args.size_mb):
                f.write(os.urandom(1 << 20))
        size = image.stat().st_size
        common = ["--dir", str(pathlib.Path(tmp) / "data"), "--image", str(image),
                  "--clients", str(args.clients), "--rounds", str(args.rounds)]
        measured = _measure(common, args, size)
        results["bare_aiohttp"], results["fileserver"] = measured["bare"], measured["fileserver"]
        from app.files import uploads

        received = uploads.list_received(pathlib.Path(tmp) / "data")
        results["fileserver"]["uploads"]["complete"] = sum(
            1 for r in received if r.complete and r.size == args.upload_mb << 20)
    ratio = results["fileserver"]["mb_per_s_best"] / results["bare_aiohttp"]["mb_per_s_best"]
    results["ratio"] = round(ratio, 3)
    results["goal_met"] = ratio >= 0.8
    _results.write(_results.RESULTS_DIR / "file_server", results)
    fs, bare, up = results["fileserver"], results["bare_aiohttp"], results["fileserver"]["uploads"]
    print(f"{_results.markdown_line(results)}\n"
          f"downloads, {args.clients} x {args.size_mb} MB: FileServer {fs['mb_per_s_best']} MB/s, "
          f"bare aiohttp {bare['mb_per_s_best']} MB/s -> {ratio:.0%} (goal 80%: {'met' if ratio >= 0.8 else 'NOT met'})\n"
          f"server RSS: FileServer {fs['rss_before_mb']} -> {fs['rss_after_mb']} MB, "
          f"bare {bare['rss_before_mb']} -> {bare['rss_after_mb']} MB\n"
          f"uploads, {up['clients']} x {up['mb_each']} MB: {up['mb_per_s']} MB/s, {up['complete']} complete, "
          f"RSS after {up['rss_after_mb']} MB")


if __name__ == "__main__":
    main()
