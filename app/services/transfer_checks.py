"""Commissioning checks over the built-in file server: a firmware update verified by the version
the charger boots with, and a diagnostics log that really arrives (services.firmware,
services.diagnostics). Registered in services.checks.CHECKS."""

from __future__ import annotations

import asyncio

from app.domain import errors, jobs, runs
from app.files import library as fw_library
from app.services import checks, diagnostics, firmware


def pick_image(library: fw_library.Library, wanted: str, model: str = "", vendor: str = "") -> fw_library.Firmware | None:
    """The image a step names (its version label, file name or id). A step that names none takes the
    library's only image, or, of several, the one image whose name mentions the charger's model (else
    its vendor): never simply the newest, which may be another model's."""
    images = library.list()
    if wanted:
        return next((i for i in images if wanted in (i.version, i.name, i.id)), None)
    if len(images) <= 1:
        return images[0] if images else None
    for word in (model, vendor):
        word = word.strip().lower()
        matching = [i for i in images if word and word in f"{i.name} {i.version} {i.note}".lower()]
        if len(matching) == 1:
            return matching[0]
    return None


@checks.check("firmware")
async def firmware_update(ctx: checks.Context) -> list[runs.Value]:
    """Install the step's image from the library and verify the version the charger boots with."""
    library = fw_library.Library(ctx.engine.data_dir)
    image = await asyncio.to_thread(pick_image, library, ctx.firmware, ctx.info.model, ctx.info.vendor)
    if image is None:
        held = len(await asyncio.to_thread(library.list))
        if ctx.firmware:
            why = f"no firmware {ctx.firmware!r} in the library: add the image on the Firmware page"
        elif held:
            why = (f"the library holds {held} images and none is plainly for this {ctx.info.model or 'charger'}: "
                   "update it from the Firmware page, or name the image in the checklist (firmware = \"…\")")
        else:
            why = "the firmware library is empty: add the image on the Firmware page (or `commissioner firmware add FILE`)"
        raise checks.NotApplicable(why)
    running = ctx.info.firmware
    values = [runs.Value("image", image.name), runs.Value("version before", running or "—")]
    if image.version and running == image.version:
        ctx.step.note = f"The charger already runs {running}: nothing to install."
        return values + [runs.Value("version after", running)]
    budget = max(60.0, ctx.timeout)
    stages = firmware.Stages(start_s=min(180.0, budget), download_s=min(300.0, budget), install_s=budget,
                             boot_s=budget)
    try:
        job = await firmware.update(ctx.engine, ctx.store, image, ctx.charger_id, stages=stages)
    except errors.CommissionerError as exc:
        raise checks.Failed(f"{exc.message} {exc.hint}".strip()) from exc
    values.append(runs.Value("version after", job.detail.get("new_version", "") or "—"))
    values.append(runs.Value("took", round((job.ended_ms - job.started_ms) / 1000, 1), "s"))
    if job.outcome is not jobs.Outcome.DONE:
        ctx.step.values = values
        raise checks.Failed(job.message)
    ctx.step.note = job.message
    return values


@checks.check("diagnostics")
async def diagnostics_upload(ctx: checks.Context) -> list[runs.Value]:
    """The charger uploads its diagnostics log to the file server (FTP, then HTTP if FTP fails)."""
    tried: list[str] = []
    for via in ("ftp", "http"):
        options = diagnostics.Options(via=via, timeout_s=max(60.0, ctx.timeout), start_s=min(120.0, ctx.timeout))
        try:
            job = await diagnostics.collect(ctx.engine, ctx.store, ctx.charger_id, options=options)
        except errors.CommissionerError as exc:
            raise checks.Failed(f"{exc.message} {exc.hint}".strip()) from exc
        if job.outcome is jobs.Outcome.DONE:
            ctx.step.files = [*ctx.step.files, job.detail["file"]]
            note = f"Received over {via.upper()}" + (f" (over FTP: {tried[0]})" if tried else "")
            ctx.step.note = note
            return [runs.Value("file", job.detail.get("stored", "")), runs.Value("size", int(job.detail["size"]), "B"),
                    runs.Value("via", via.upper())]
        tried.append(job.message)
        if job.detail["ocpp_version"] == "1.6" and "no diagnostics" in job.message:
            break
    raise checks.Failed(" / ".join(tried))
