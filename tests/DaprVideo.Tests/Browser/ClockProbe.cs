using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprVideo.Tests.Browser;

/// <summary>
/// Reads <see cref="ClockCamera"/>'s clock back from the frames a page shows. Installed before the page's own
/// scripts run, it keeps every hls.js player the page makes (the viewer holds its own in a closure) and, for each
/// frame the video element presents (<c>requestVideoFrameCallback</c>, at most every <see cref="SampleMilliseconds"/>),
/// draws the code's band into a canvas, decodes it with <c>getImageData</c> and records when the frame was made, when
/// it is shown, and what hls.js says about it (<c>playingDate</c>, <c>latency</c>, <c>targetLatency</c>).
/// </summary>
public static class ClockProbe
{
    public const int Bits = 32;
    public const int SampleMilliseconds = 200;

    /// <summary>Where the code sits in a frame: 32 square blocks of W/40 from x = W/10, three blocks above the bottom.</summary>
    public sealed record CodeGeometry(int X, int Y, int Block);

    public static CodeGeometry Geometry(int width, int height)
    {
        var block = width / 40;
        return new CodeGeometry(width / 10, height - (3 * block), block);
    }

    /// <summary>The script for <c>Page.addScriptToEvaluateOnNewDocument</c>; samples collect in <c>window.__clock.samples</c>.</summary>
    public static string Script { get; } = """
        (() => {
          const M = 4294967296;
          const clock = window.__clock = { samples: [], players: [], frames: 0, unreadable: 0, waiting: 0, stalls: 0, noFrameCallback: false };
          let Hls;
          Object.defineProperty(window, "Hls", {
            configurable: true,
            get() { return Hls; },
            set(value) {
              Hls = typeof value === "function"
                ? class extends value {
                    constructor(...args) {
                      super(...args);
                      clock.players.push(this);
                      // Playback ran dry with the playhead at the live edge (hls.js raises its target latency for each).
                      this.on(value.Events.ERROR, (_, data) => { if (data.details === "bufferStalledError") clock.stalls++; });
                    }
                  }
                : value;
            },
          });

          const canvas = document.createElement("canvas");
          const ctx = canvas.getContext("2d", { willReadFrequently: true });
          let last = 0;

          function read(video, shown, meta) {
            const w = video.videoWidth, h = video.videoHeight;
            if (!w || !h) return;
            const bw = w / 40, bh = w / 40;
            const sx = Math.round(w / 10), sy = Math.round(h - 3 * bh), sw = Math.round(bw * 32), sh = Math.round(bh * 2);
            canvas.width = sw;
            canvas.height = sh;
            ctx.drawImage(video, sx, sy, sw, sh, 0, 0, sw, sh);
            const px = ctx.getImageData(0, 0, sw, sh).data;
            const lum = (x, y) => { const i = (Math.floor(y) * sw + Math.floor(x)) * 4; return (px[i] + px[i + 1] + px[i + 2]) / 3; };
            let value = 0;
            for (let k = 0; k < 32; k++) {
              const top = lum((k + 0.5) * bw, 0.5 * bh), bottom = lum((k + 0.5) * bw, 1.5 * bh);
              // Each bit is drawn over its complement: a pair that does not clearly differ is a misread.
              if (Math.abs(top - bottom) < 64) { clock.unreadable++; return; }
              value = value * 2 + (top > bottom ? 1 : 0);
            }
            const made = shown - ((((shown - value) % M) + M) % M);
            const player = clock.players[clock.players.length - 1];
            const date = player && player.playingDate ? player.playingDate.getTime() : null;
            const ranges = video.buffered;
            clock.samples.push({
              at: Date.now(), shown, made, playingDate: date,
              currentTime: video.currentTime, mediaTime: meta.mediaTime, rate: video.playbackRate,
              latency: player ? player.latency : null, targetLatency: player ? player.targetLatency : null,
              buffered: ranges.length ? ranges.end(ranges.length - 1) - video.currentTime : 0,
            });
          }

          function watch(video) {
            if (!video.requestVideoFrameCallback) { clock.noFrameCallback = true; return; }
            video.addEventListener("waiting", () => clock.waiting++);
            const onFrame = (now, meta) => {
              clock.frames++;
              // When the frame reaches the screen, on the wall clock.
              const shown = Date.now() + (meta.expectedDisplayTime - performance.now());
              if (shown - last >= __INTERVAL__) {
                last = shown;
                try { read(video, Math.round(shown), meta); } catch (e) { clock.error = String(e); }
              }
              video.requestVideoFrameCallback(onFrame);
            };
            video.requestVideoFrameCallback(onFrame);
          }

          document.addEventListener("DOMContentLoaded", () => {
            const video = document.querySelector("video");
            if (video) watch(video);
          });
        })();
        """.Replace("__INTERVAL__", SampleMilliseconds.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Installs <see cref="Script"/> for every document the page loads from now on.</summary>
    public static Task InstallAsync(BrowserPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Call("Page.addScriptToEvaluateOnNewDocument", new JsonObject { ["source"] = Script });
    }

    /// <summary>The samples recorded since index <paramref name="from"/>.</summary>
    public static async Task<IReadOnlyList<ClockSample>> SamplesAsync(BrowserPage page, int from = 0)
    {
        ArgumentNullException.ThrowIfNull(page);
        var value = await page.EvaluateAsync(string.Create(CultureInfo.InvariantCulture, $"window.__clock ? window.__clock.samples.slice({from}) : []"));
        return [.. value.EnumerateArray().Select(ClockSample.From)];
    }

    /// <summary>Counters for failure messages and reports: frames presented, unreadable codes, waiting events, hls.js stalls, players made.</summary>
    public static async Task<string> StateAsync(BrowserPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var state = await page.EvaluateAsync(
            "window.__clock ? JSON.stringify({ frames: __clock.frames, samples: __clock.samples.length, unreadable: __clock.unreadable, " +
            "waiting: __clock.waiting, stalls: __clock.stalls, players: __clock.players.length, noFrameCallback: __clock.noFrameCallback, error: __clock.error || null }) : 'no probe'");
        return state.GetString() ?? "";
    }
}

/// <summary>
/// One presented frame: <see cref="Made"/> (decoded from its pixels) and <see cref="Shown"/> (when it reached the
/// screen), both epoch milliseconds on this machine's clock; <see cref="PlayingDate"/> is hls.js's program date-time
/// of the playhead when it was sampled (<see cref="At"/>), null while hls.js has none.
/// </summary>
public sealed record ClockSample(double At, double Shown, double Made, double? PlayingDate, double CurrentTime, double MediaTime, double Rate,
    double? Latency, double? TargetLatency, double Buffered)
{
    /// <summary>True glass-to-glass: from the frame being made to it being on the screen, in seconds.</summary>
    public double GlassToGlass => (Shown - Made) / 1000;

    /// <summary>What a page can tell without reading pixels: now minus hls.js's playingDate, in seconds.</summary>
    public double? PlayingDateLatency => PlayingDate is { } date ? (At - date) / 1000 : null;

    /// <summary>The program date-time hls.js gives this very frame (playingDate is the playhead's, a little later).</summary>
    public double? FrameDate => PlayingDate is { } date ? date - ((CurrentTime - MediaTime) * 1000) : null;

    internal static ClockSample From(JsonElement e) => new(
        e.GetProperty("at").GetDouble(), e.GetProperty("shown").GetDouble(), e.GetProperty("made").GetDouble(),
        Nullable(e, "playingDate"), e.GetProperty("currentTime").GetDouble(), e.GetProperty("mediaTime").GetDouble(),
        e.GetProperty("rate").GetDouble(), Nullable(e, "latency"), Nullable(e, "targetLatency"), e.GetProperty("buffered").GetDouble());

    private static double? Nullable(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
