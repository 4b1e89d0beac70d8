// DaprVideo viewer: the stream list at "/" and one stream at "/?stream={id}".
// Plain DOM, no framework. Every string from the API goes through textContent or an attribute; none is parsed as HTML.
"use strict";

(() => {
  const STREAM_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
  const REFRESH_MS = 3000;
  const HITS_PER_PAGE = 100;

  const $ = (id) => document.getElementById(id);

  // ---------- live latency ----------
  // How far behind the live edge the live view plays (hls.js's target latency, measured from its estimate of the
  // edge, which grows with the time since the playlist last advanced). hls.js's default is three target durations
  // (RFC 8216 §6.3.3 and HOLD-BACK's default): 9 s at 3 s segments, on top of the chunk's capture and analysis.
  // One target duration is the least that lets the next segment be listed before the buffer runs dry; the margin
  // covers its download and a segment that comes late. Each stall adds a second (liveSyncOnStallIncrease, at most
  // one target duration). Up to one target duration beyond its target, hls.js plays at up to 1.5x to catch up;
  // further behind it would not (it takes that for watching the past), so from two target durations beyond, the
  // view jumps back to the edge (a paused view, a long stall, or a start on the slow first segments). The server
  // holds live.m3u8 reloads until the next segment is listed (EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD), so hls.js
  // learns of it at once. README "Latency" has the measured figures.
  const liveHoldBack = (targetDuration) => targetDuration + Math.max(1, targetDuration / 3);
  const LIVE_PLAYER = {
    lowLatencyMode: true,          // blocking playlist reload (no parts are published) and the catch-up below
    liveSyncDurationCount: 2,      // until the playlist is known; then liveHoldBack(target duration)
    maxLiveSyncPlaybackRate: 1.5,
  };

  // ---------- small helpers ----------

  /** An API failure, already phrased for people (RFC 7807 title and detail when the server sent them). */
  class ApiProblem extends Error {}

  async function getJson(url) {
    let response;
    try {
      response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
    } catch {
      throw new ApiProblem(`Could not reach the server for ${url}.`);
    }
    if (!response.ok) {
      let title = response.statusText || "Request failed";
      let detail = "";
      let status = response.status;
      try {
        const problem = await response.json();
        if (problem && typeof problem.title === "string" && problem.title) title = problem.title;
        if (problem && typeof problem.detail === "string") detail = problem.detail;
        if (problem && Number.isInteger(problem.status)) status = problem.status;
      } catch {
        // not problem JSON: the status line is all we have
      }
      throw new ApiProblem(`${title} (HTTP ${status})${detail ? `: ${detail}` : ""}`);
    }
    try {
      return await response.json();
    } catch {
      throw new ApiProblem(`The server's answer for ${url} is not JSON.`);
    }
  }

  function showProblem(error) {
    const box = $("problem");
    box.textContent = error instanceof ApiProblem ? error.message : `Something went wrong: ${error && error.message ? error.message : error}`;
    box.hidden = false;
  }

  function clearProblem() {
    const box = $("problem");
    if (!box.hidden) {
      box.hidden = true;
      box.textContent = "";
    }
  }

  /** Creates an element with text content and attributes; children are appended as nodes. */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "className") node.className = value;
      else node.setAttribute(key, String(value));
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  const finite = (x, fallback = 0) => (typeof x === "number" && Number.isFinite(x) ? x : fallback);

  function clock(seconds, tenths = false) {
    const s = Math.max(0, finite(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = tenths ? (s % 60).toFixed(1).padStart(4, "0") : String(Math.floor(s % 60)).padStart(2, "0");
    return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }

  const percent = (score) => `${Math.round(finite(score) * 100)}%`;
  const fps = (x) => `${Math.round(finite(x) * 10) / 10} fps`;

  /** How a live stream is analysed, when the API says: "overloaded: analysing 2.5 fps of 5 fps" while degraded, else "analysing 5 fps". */
  function analysisText(stream) {
    if (typeof stream.analysedFps !== "number" || !Number.isFinite(stream.analysedFps)) return null;
    if (stream.state === "degraded") return `overloaded: analysing ${fps(stream.analysedFps)} of ${fps(finite(stream.detectFps, stream.analysedFps))}`;
    return stream.state === "running" ? `analysing ${fps(stream.analysedFps)}` : null;
  }
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  function localTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? "" : date.toLocaleString();
  }

  /** A same-origin path from the API, or null: playlist URLs must not send the player anywhere else. */
  const sameOriginPath = (url) =>
    typeof url === "string" && url.startsWith("/") && !url.startsWith("//") && !url.includes("\\") ? url : null;

  /** Runs task now and then every REFRESH_MS until it returns false; skips ticks while the tab is hidden. */
  function every(task) {
    const tick = async () => {
      let again = true;
      if (!document.hidden) {
        try {
          again = (await task()) !== false;
        } catch (error) {
          showProblem(error);
        }
      }
      if (again) setTimeout(tick, REFRESH_MS);
    };
    tick();
  }

  // ---------- "/" : the stream list ----------

  function showList() {
    document.title = "Streams · DaprVideo";
    $("list-view").hidden = false;
    let shown = null;
    every(async () => {
      const streams = await getJson("/api/streams");
      if (!Array.isArray(streams)) throw new ApiProblem("The stream list from /api/streams is not a JSON array.");
      clearProblem();
      const key = JSON.stringify(streams);
      if (key !== shown) {
        shown = key;
        renderList(streams);
      }
    });
  }

  function renderList(streams) {
    const list = $("stream-list");
    list.replaceChildren(...streams.filter((s) => s && typeof s === "object").map(streamItem));
    $("list-status").textContent = streams.length === 0 ? "No streams yet." : plural(streams.length, "stream");
  }

  function streamItem(stream) {
    const id = String(stream.id ?? "");
    const state = String(stream.state ?? "unknown");
    const name = STREAM_ID.test(id)
      ? el("a", { className: "name", href: `/?stream=${encodeURIComponent(id)}`, text: id })
      : el("span", { className: "name", text: id || "(no id)" });
    const facts = [plural(finite(stream.segments), "segment"), clock(stream.durationSeconds)];
    const analysis = state === "degraded" ? analysisText(stream) : null;
    if (analysis) facts.push(analysis);
    const started = localTime(stream.startedAt);
    if (started) facts.push(`started ${started}`);
    return el("li", {},
      name,
      el("span", { className: `state state-${state.replace(/[^a-z]/g, "")}`, text: state }),
      stream.source ? el("span", { className: "source", text: String(stream.source) }) : null,
      el("span", { className: "facts", text: facts.join(" · ") }),
      stream.error ? el("span", { className: "error", text: String(stream.error) }) : null);
  }

  // ---------- "/?stream={id}" : one stream ----------

  function showStream(id) {
    const video = $("video");
    const timelineBox = $("timeline");
    const labelSelect = $("label-filter");

    const view = {
      info: null,
      mode: null,
      hls: null,
      segments: [],        // timeline entries, in order
      starts: new Map(),   // segment -> start on the full recording's timeline (sum of earlier durations)
      durations: new Map(),
      currentSegment: null,
      pendingSeek: null,   // { segment, offset } waiting for the playlist to load
      label: "",
      events: [],
      shownEvents: null,
      hits: [],
      hitsShown: 0,
      shownTimeline: null,
      shownLabels: null,
    };

    document.title = `${id} · DaprVideo`;
    $("stream-view").hidden = false;
    $("stream-title").textContent = id;

    const api = `/api/streams/${encodeURIComponent(id)}`;
    const ended = () => view.info && (view.info.state === "ended" || view.info.state === "failed");

    // --- stream facts ---

    function renderInfo(info) {
      const facts = [String(info.state ?? "unknown"), plural(finite(info.segments), "segment"), clock(info.durationSeconds)];
      const analysis = analysisText(info);
      if (analysis) facts.push(analysis);
      if (info.source) facts.push(String(info.source));
      $("stream-meta").textContent = facts.join(" · ");
      if (info.state === "failed" && info.error) showProblem(new ApiProblem(`The stream failed: ${info.error}`));
    }

    // --- playback ---

    function playlistUrl(mode) {
      const playlists = (view.info && view.info.playlists) || {};
      const fallback = `/streams/${encodeURIComponent(id)}/${mode === "live" ? "live" : "index"}.m3u8`;
      return sameOriginPath(mode === "live" ? playlists.live : playlists.index) || fallback;
    }

    function setMode(mode, seek = null) {
      view.mode = mode;
      $(mode === "live" ? "mode-live" : "mode-full").checked = true;
      $("player-status").textContent = mode === "live" ? "Following the live edge." : "Playing the full recording.";
      view.pendingSeek = seek;
      load(playlistUrl(mode));
    }

    function load(url) {
      if (view.hls) {
        view.hls.destroy();
        view.hls = null;
      }
      const Hls = window.Hls;
      if (Hls && Hls.isSupported()) {
        const live = view.mode === "live";
        const hls = new Hls(live ? { enableWorker: true, ...LIVE_PLAYER } : { enableWorker: true });
        view.hls = hls;
        let mediaRecoveries = 0;
        if (live) {
          // The target duration is known once the playlist is, before hls.js picks where to start.
          hls.on(Hls.Events.MANIFEST_LOADED, (_, data) => {
            const details = data.levels && data.levels[0] && data.levels[0].details;
            if (!details || !details.live || !(details.targetduration > 0)) return;
            const holdBack = liveHoldBack(details.targetduration);
            hls.targetLatency = holdBack;
            hls.config.liveMaxLatencyDuration = holdBack + 2 * details.targetduration;
          });
        }
        hls.on(Hls.Events.LEVEL_LOADED, applyPendingSeek);
        hls.on(Hls.Events.MANIFEST_PARSED, () => {
          if (live) $("player-status").textContent = "Following the live edge.";
          play();
        });
        hls.on(Hls.Events.FRAG_CHANGED, (_, data) => setCurrent(segmentOf(data.frag)));
        hls.on(Hls.Events.ERROR, (_, data) => {
          if (!data.fatal) return;
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries++ < 2) {
            hls.recoverMediaError();
            return;
          }
          // A stream added a moment ago has no live.m3u8 until its first segment is analysed, and a camera that
          // reconnects may keep the playlist waiting: a running stream's live view tries again instead of giving up.
          if (live && data.type === Hls.ErrorTypes.NETWORK_ERROR && !ended()) {
            const waiting = data.response && data.response.code === 404;
            $("player-status").textContent = waiting ? "Waiting for the first segment…" : "Reconnecting to the live stream…";
            setTimeout(() => { if (view.hls === hls) load(url); }, REFRESH_MS);
            return;
          }
          const status = data.response && data.response.code ? ` (HTTP ${data.response.code})` : "";
          showProblem(new ApiProblem(`Playback stopped: ${data.details}${status}.`));
        });
        hls.loadSource(url);
        hls.attachMedia(video);
      } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
        // Safari and iOS play HLS natively (no MediaSource for hls.js there).
        video.src = url;
        video.addEventListener("loadedmetadata", applyPendingSeek, { once: true });
        play();
      } else {
        showProblem(new ApiProblem("This browser can play neither HLS nor MediaSource video."));
      }
    }

    function play() {
      video.play().catch(() => {
        $("player-status").textContent = "Press play to start.";
      });
    }

    /** hls.js's view of the loaded playlist: segment -> start on the player's timeline. */
    function loadedStarts() {
      const hls = view.hls;
      if (!hls || !hls.levels || hls.levels.length === 0) return null;
      const level = hls.levels[Math.max(hls.currentLevel, 0)];
      const fragments = level && level.details ? level.details.fragments : null;
      if (!fragments) return null;
      const starts = new Map();
      for (const fragment of fragments) starts.set(segmentOf(fragment), fragment.start);
      return starts;
    }

    function segmentOf(fragment) {
      const match = /(\d+)\.ts(?:[?#].*)?$/.exec(String(fragment.relurl || fragment.url || ""));
      return match ? Number(match[1]) : fragment.sn;
    }

    function seekTo(segment, offset = 0) {
      const loaded = loadedStarts();
      if (loaded && loaded.has(segment)) {
        video.currentTime = loaded.get(segment) + offset;
        play();
      } else if (view.mode === "full" && (!view.hls || loaded)) {
        // Native playback (or a segment hls.js has not listed yet): the full recording starts at 0.
        video.currentTime = (view.starts.get(segment) ?? 0) + offset;
        play();
      } else if (view.mode === "full") {
        view.pendingSeek = { segment, offset }; // playlist still loading
      } else {
        setMode("full", { segment, offset }); // outside the live window
      }
      setCurrent(segment);
    }

    function applyPendingSeek() {
      const seek = view.pendingSeek;
      if (!seek) return;
      view.pendingSeek = null;
      seekTo(seek.segment, seek.offset);
    }

    // Native playback has no fragment events: derive the current segment from the time.
    video.addEventListener("timeupdate", () => {
      if (view.hls || view.mode !== "full") return;
      const t = video.currentTime;
      const segment = view.segments.find((s) => t >= view.starts.get(s.segment) && t < view.starts.get(s.segment) + view.durations.get(s.segment));
      if (segment) setCurrent(segment.segment);
    });

    video.addEventListener("error", () => {
      if (!view.hls && video.error) showProblem(new ApiProblem(`Playback stopped: ${video.error.message || `media error ${video.error.code}`}.`));
    });

    for (const radio of document.querySelectorAll("input[name=mode]")) {
      radio.addEventListener("change", () => {
        if (!radio.checked || radio.value === view.mode) return;
        // Going to the full recording keeps the place; going live jumps to the edge.
        const keep = radio.value === "full" && view.currentSegment !== null ? { segment: view.currentSegment, offset: 0 } : null;
        setMode(radio.value, keep);
      });
    }

    // --- timeline ---

    function setTimeline(entries) {
      const segments = entries
        .filter((e) => e && Number.isInteger(e.segment))
        .map((e) => ({
          segment: e.segment,
          // The contract says "duration"; Core's SegmentSummary serialises "durationSeconds": read either.
          duration: Math.max(0, finite(e.duration, finite(e.durationSeconds))),
          annotated: e.annotated !== false,
          analysedFps: typeof e.analysedFps === "number" && Number.isFinite(e.analysedFps) ? e.analysedFps : null,
          labels: Array.isArray(e.labels) ? e.labels.filter((l) => l && typeof l.label === "string") : [],
        }));
      view.segments = segments;
      view.starts.clear();
      view.durations.clear();
      let start = 0;
      for (const s of segments) {
        view.starts.set(s.segment, start);
        view.durations.set(s.segment, s.duration);
        start += s.duration;
      }
      renderTimeline();
    }

    function markText(s) {
      const start = view.starts.get(s.segment);
      const span = `${clock(start)} to ${clock(start + s.duration)}`;
      let found;
      if (!s.annotated) found = "not analysed";
      else if (s.labels.length === 0) found = "nothing found";
      else found = s.labels.map((l) => `${l.label} ×${finite(l.count)} (best ${percent(l.maxScore)})`).join(", ");
      const rate = s.annotated && s.analysedFps !== null ? ` (analysed at ${fps(s.analysedFps)})` : "";
      return `Segment ${s.segment}, ${span}: ${found}${rate}`;
    }

    function renderTimeline() {
      const focused = document.activeElement && document.activeElement.classList.contains("mark")
        ? Number(document.activeElement.dataset.segment) : null;
      const marks = view.segments.map((s) => {
        const text = markText(s);
        const mark = el("button", {
          type: "button",
          className: `mark ${!s.annotated ? "skipped" : s.labels.length > 0 ? "some" : "none"}`,
          "data-segment": s.segment,
          "aria-label": text,
          title: text,
          tabindex: -1,
        });
        mark.style.flexGrow = String(Math.max(s.duration, 0.1));
        return mark;
      });
      timelineBox.replaceChildren(...marks);
      highlightLabel();
      setCurrent(view.currentSegment);
      if (focused !== null) {
        const again = markFor(focused);
        if (again) again.focus();
      }
    }

    const markFor = (segment) => timelineBox.querySelector(`.mark[data-segment="${Number(segment)}"]`);

    function setCurrent(segment) {
      if (segment === null || segment === undefined) {
        rovingStop(timelineBox.querySelector(".mark"));
        return;
      }
      view.currentSegment = segment;
      for (const mark of timelineBox.querySelectorAll(".mark[aria-current]")) mark.removeAttribute("aria-current");
      const mark = markFor(segment);
      if (mark) {
        mark.setAttribute("aria-current", "true");
        if (!timelineBox.contains(document.activeElement)) rovingStop(mark);
      }
    }

    // Roving tabindex: the timeline is one Tab stop; arrow keys move between its segments.
    function rovingStop(mark) {
      if (!mark) return;
      for (const m of timelineBox.querySelectorAll('.mark[tabindex="0"]')) m.tabIndex = -1;
      mark.tabIndex = 0;
    }

    timelineBox.addEventListener("click", (event) => {
      const mark = event.target.closest(".mark");
      if (!mark) return;
      rovingStop(mark);
      seekTo(Number(mark.dataset.segment));
    });

    timelineBox.addEventListener("keydown", (event) => {
      const marks = [...timelineBox.querySelectorAll(".mark")];
      const index = marks.indexOf(document.activeElement);
      if (index < 0) return;
      const next = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: marks.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      const target = marks[Math.min(Math.max(next, 0), marks.length - 1)];
      rovingStop(target);
      target.focus();
    });

    // --- label filter and hits ---

    function setLabels(labels) {
      const names = labels.filter((l) => typeof l === "string");
      const key = JSON.stringify(names);
      if (key === view.shownLabels) return;
      view.shownLabels = key;
      const chosen = labelSelect.value;
      labelSelect.replaceChildren(
        el("option", { value: "", text: names.length ? "Choose a label…" : "No detections yet" }),
        ...names.map((name) => el("option", { value: name, text: name })));
      labelSelect.value = names.includes(chosen) ? chosen : "";
    }

    function highlightLabel() {
      const wanted = view.label.toLowerCase();
      timelineBox.classList.toggle("filtering", wanted !== "");
      for (const s of view.segments) {
        const mark = markFor(s.segment);
        if (mark) mark.classList.toggle("match", wanted !== "" && s.labels.some((l) => l.label.toLowerCase() === wanted));
      }
    }

    async function loadHits() {
      const label = view.label;
      if (!label) {
        view.hits = [];
        view.hitsShown = 0;
        renderHits();
        return;
      }
      const hits = await getJson(`${api}/detections?label=${encodeURIComponent(label)}`);
      if (label !== view.label) return; // the choice changed while we waited
      if (!Array.isArray(hits)) throw new ApiProblem("The detection search answer is not a JSON array.");
      view.hits = hits.filter((h) => h && Number.isInteger(h.segment) && Array.isArray(h.detections));
      view.hitsShown = Math.max(view.hitsShown, Math.min(HITS_PER_PAGE, view.hits.length));
      renderHits();
    }

    /** Where a hit sits inside its segment; t counts from the stream's start, which matches the full recording's timeline. */
    function offsetInSegment(hit) {
      const start = view.starts.get(hit.segment);
      const duration = view.durations.get(hit.segment);
      if (start === undefined) return 0;
      const offset = finite(hit.t) - start;
      return offset >= 0 && offset <= duration ? offset : 0;
    }

    function renderHits() {
      const list = $("hits");
      const shown = view.hits.slice(0, view.hitsShown);
      list.replaceChildren(...shown.map((hit) => {
        const offset = offsetInSegment(hit);
        const at = (view.starts.get(hit.segment) ?? finite(hit.t)) + offset;
        const best = hit.detections.reduce((m, d) => Math.max(m, finite(d && d.score)), 0);
        const label = hit.detections[0] && typeof hit.detections[0].label === "string" ? hit.detections[0].label : view.label;
        const count = hit.detections.length > 1 ? ` ×${hit.detections.length}` : "";
        const button = el("button", { type: "button" },
          el("span", { className: "when", text: clock(at, true) }),
          document.createTextNode(`${label}${count} · ${percent(best)} · segment ${hit.segment}`));
        button.addEventListener("click", () => seekTo(hit.segment, offset));
        return el("li", {}, button);
      }));
      const status = $("hits-status");
      if (!view.label) status.textContent = "";
      else if (view.hits.length === 0) status.textContent = `No frames show “${view.label}”.`;
      else status.textContent = `${plural(view.hits.length, "frame")} show “${view.label}”${view.hitsShown < view.hits.length ? `; the first ${view.hitsShown} are listed` : ""}.`;
      $("more-hits").hidden = view.hitsShown >= view.hits.length;
    }

    $("more-hits").addEventListener("click", () => {
      view.hitsShown = Math.min(view.hits.length, view.hitsShown + HITS_PER_PAGE);
      renderHits();
    });

    labelSelect.addEventListener("change", () => {
      view.label = labelSelect.value;
      view.hitsShown = 0;
      highlightLabel();
      loadHits().catch(showProblem);
    });

    // --- events (one tracked object each) ---

    const eventList = $("event-list");
    const eventLabel = $("event-label");
    const eventZone = $("event-zone");
    const eventMarks = $("event-marks");

    function fillSelect(select, names, allText) {
      const chosen = select.value;
      select.replaceChildren(el("option", { value: "", text: allText }), ...names.map((name) => el("option", { value: name, text: name })));
      select.value = names.includes(chosen) ? chosen : "";
    }

    const optionalNumber = (x) => (typeof x === "number" && Number.isFinite(x) ? x : null);

    /** The API's events (newest first); start/end are on the stream's media timeline, where detection hits sit too. */
    function setEvents(events) {
      view.events = events
        .filter((e) => e && typeof e.id === "string" && typeof e.label === "string")
        .map((e) => ({
          id: e.id,
          label: e.label,
          zones: Array.isArray(e.zones) ? e.zones.filter((z) => typeof z === "string") : [],
          start: Math.max(0, finite(e.startSeconds)),
          end: optionalNumber(e.endSeconds),
          first: Number.isInteger(e.firstSequence) ? e.firstSequence : null,
          score: finite(e.maxScore),
          crop: sameOriginPath(e.cropUrl),
        }));
      fillSelect(eventLabel, [...new Set(view.events.map((e) => e.label))].sort(), "All labels");
      const zones = [...new Set(view.events.flatMap((e) => e.zones))].sort();
      fillSelect(eventZone, zones, zones.length ? "All zones" : "No zones");
      eventList.replaceChildren(...view.events.map(eventItem));
      renderEventMarks();
      filterEvents();
    }

    function eventItem(e) {
      const span = e.end === null ? "in progress" : `${clock(Math.max(0, e.end - e.start), true)} long`;
      const zones = e.zones.length ? ` · ${e.zones.join(", ")}` : "";
      const button = el("button", { type: "button", "aria-label": `${e.label}, ${percent(e.score)}, at ${clock(e.start)}, ${span}${zones}: play from here` },
        e.crop ? el("img", { src: e.crop, alt: "", width: 72, height: 54, decoding: "async" }) : el("span"),
        el("span", {},
          el("span", { className: "what", text: `${e.label} · ${percent(e.score)}` }),
          el("span", { className: `when${e.end === null ? " live" : ""}`, text: `${clock(e.start)} · ${span}${zones}` })));
      button.addEventListener("click", () => seekToSeconds(e.start, e.first));
      return el("li", { "data-event": e.id }, button);
    }

    const eventShown = (e) => (!eventLabel.value || e.label === eventLabel.value) && (!eventZone.value || e.zones.includes(eventZone.value));

    function filterEvents() {
      let shown = 0;
      view.events.forEach((e, i) => {
        const visible = eventShown(e);
        if (visible) shown++;
        eventList.children[i].hidden = !visible;
        const mark = eventMarks.children[i];
        if (mark) mark.classList.toggle("hidden", !visible);
      });
      const filtered = eventLabel.value || eventZone.value;
      $("events-status").textContent = view.events.length === 0 ? "No events yet."
        : filtered ? `${shown} of ${plural(view.events.length, "event")}` : plural(view.events.length, "event");
    }

    /** One bar per event under the timeline, on its scale (the sum of the listed segments' durations). */
    function renderEventMarks() {
      const total = view.segments.reduce((sum, s) => sum + s.duration, 0);
      if (!(total > 0)) {
        eventMarks.replaceChildren();
        return;
      }
      eventMarks.replaceChildren(...view.events.map((e) => {
        const left = Math.min(1, e.start / total);
        const right = Math.min(1, Math.max(e.end ?? total, e.start) / total);
        const mark = el("span", { title: `${e.label} at ${clock(e.start)}`, "data-event": e.id });
        mark.style.left = `${left * 100}%`;
        mark.style.width = `${(right - left) * 100}%`;
        mark.addEventListener("click", () => seekToSeconds(e.start, e.first));
        return mark;
      }));
    }

    /** Seeks to a time on the stream's media timeline: the segment holding it, and the offset into it. */
    function seekToSeconds(seconds, fallbackSegment) {
      const holding = view.segments.find((s) => seconds >= view.starts.get(s.segment) && seconds < view.starts.get(s.segment) + view.durations.get(s.segment));
      if (holding) seekTo(holding.segment, seconds - view.starts.get(holding.segment));
      else if (fallbackSegment !== null && fallbackSegment !== undefined) seekTo(fallbackSegment, 0);
    }

    eventLabel.addEventListener("change", filterEvents);
    eventZone.addEventListener("change", filterEvents);

    // --- polling ---

    async function refresh() {
      // The player starts as soon as the stream is known; the timeline and labels follow.
      const info = await getJson(api);
      if (!info || typeof info !== "object") throw new ApiProblem(`The stream description from ${api} is not a JSON object.`);
      view.info = info;
      if (info.state !== "failed") clearProblem();
      renderInfo(info);
      if (view.mode === null) setMode(ended() ? "full" : "live");

      const [timeline, labels] = await Promise.all([getJson(`${api}/timeline`), getJson(`${api}/labels`)]);
      if (!Array.isArray(timeline)) throw new ApiProblem("The timeline answer is not a JSON array.");
      if (!Array.isArray(labels)) throw new ApiProblem("The label list answer is not a JSON array.");
      setLabels(labels);
      const key = JSON.stringify(timeline);
      if (key !== view.shownTimeline) {
        view.shownTimeline = key;
        setTimeline(timeline);
        renderEventMarks();
        filterEvents();
        if (view.label) await loadHits();
      }
      // Events come and end while the stream is live: polled with the timeline, redrawn only when they changed.
      const events = await getJson(`${api}/events`);
      if (!Array.isArray(events)) throw new ApiProblem("The event list answer is not a JSON array.");
      const eventsKey = JSON.stringify(events);
      if (eventsKey !== view.shownEvents) {
        view.shownEvents = eventsKey;
        setEvents(events);
      }
      // "ended" means capture stopped; segments still in analysis are listed later. Only the playlist's own
      // ENDLIST says nothing more will come.
      return !(ended() && (await playlistComplete()));
    }

    /** True once the full playlist carries #EXT-X-ENDLIST (revalidated: a 304 when it has not changed). */
    async function playlistComplete() {
      let response;
      try {
        response = await fetch(playlistUrl("full"), { cache: "no-cache" });
      } catch {
        return false; // unreachable for now: ask again on the next tick
      }
      if (!response.ok) return false;
      return /^#EXT-X-ENDLIST[ \t]*\r?$/m.test(await response.text());
    }

    every(refresh);
  }

  // ---------- start ----------

  const requested = new URLSearchParams(location.search).get("stream");
  if (requested === null) {
    showList();
  } else if (STREAM_ID.test(requested)) {
    showStream(requested);
  } else {
    $("stream-view").hidden = true;
    showProblem(new ApiProblem("That is not a valid stream id: use 1-63 characters of a-z, 0-9, '_' or '-', starting with a letter or digit."));
  }
})();
