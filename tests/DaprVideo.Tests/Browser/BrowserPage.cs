using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprVideo.Tests.Browser;

/// <summary>One tab: navigate, evaluate JavaScript, wait for a condition inside the page, click, screenshot.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly ChromiumBrowser _browser;
    private readonly string _targetId;
    private readonly string _sessionId;

    internal BrowserPage(ChromiumBrowser browser, string targetId, string sessionId)
    {
        _browser = browser;
        _targetId = targetId;
        _sessionId = sessionId;
    }

    private DevToolsConnection DevTools => _browser.DevTools;

    internal async Task EnableAsync()
    {
        await Call("Page.enable");
        await Call("Runtime.enable");
        await Call("Log.enable");
    }

    public Task<JsonElement> Call(string method, JsonObject? parameters = null, TimeSpan? timeout = null) =>
        DevTools.CallAsync(method, parameters, _sessionId, timeout);

    /// <summary>Navigates and returns once the new document's load event fired.</summary>
    public async Task NavigateAsync(Uri url)
    {
        var loaded = DevTools.NextEventAsync("Page.loadEventFired", _sessionId);
        var result = await Call("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        if (result.TryGetProperty("errorText", out var error))
            throw new InvalidOperationException($"Navigation to {url} failed: {error.GetString()}");
        await loaded.WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>Evaluates an expression (awaiting a promise) and returns its JSON value; a page exception throws.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression, TimeSpan? timeout = null)
    {
        var reply = await Call("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["awaitPromise"] = true,
            ["returnByValue"] = true,
        }, timeout);
        if (reply.TryGetProperty("exceptionDetails", out var details))
        {
            var text = details.TryGetProperty("exception", out var ex) && ex.TryGetProperty("description", out var d) ? d.GetString() : details.GetProperty("text").GetString();
            throw new InvalidOperationException($"Page script failed: {text}\nexpression: {expression}");
        }
        var result = reply.GetProperty("result");
        return result.TryGetProperty("value", out var value) ? value : default;
    }

    /// <summary>
    /// Waits inside the page until <paramref name="condition"/> (a JS expression) is truthy and returns its value;
    /// fails after <paramref name="timeout"/> with <paramref name="describe"/> (a JS expression) for context.
    /// </summary>
    public async Task<JsonElement> WaitForAsync(string condition, TimeSpan timeout, string describe = "null")
    {
        var ms = ((int)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var script = $$"""
            new Promise(resolve => {
              const started = performance.now();
              const check = () => {
                let value = null;
                try { value = ({{condition}}); } catch (e) { value = null; }
                if (value) resolve({ ok: true, value });
                else if (performance.now() - started > {{ms}}) {
                  let context = null;
                  try { context = ({{describe}}); } catch (e) { context = String(e); }
                  resolve({ ok: false, context });
                } else setTimeout(check, 50);
              };
              check();
            })
            """;
        var outcome = await EvaluateAsync(script, timeout + TimeSpan.FromSeconds(10));
        if (outcome.GetProperty("ok").GetBoolean()) return outcome.GetProperty("value");
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:F0} s waiting for `{condition}`; page state: {outcome.GetProperty("context").GetRawText()}\n" +
            $"page log:\n{string.Join('\n', DevTools.PageLog)}");
    }

    /// <summary>A real mouse click (pressed and released) at the centre of the first element matching <paramref name="selector"/>.</summary>
    public async Task ClickAsync(string selector)
    {
        var box = await EvaluateAsync($$"""
            (() => {
              const el = document.querySelector({{JsonSerializer.Serialize(selector)}});
              if (!el) return null;
              el.scrollIntoView({ block: "center" });
              const r = el.getBoundingClientRect();
              return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
            })()
            """);
        if (box.ValueKind != JsonValueKind.Object)
            throw new InvalidOperationException($"Nothing matches {selector} to click.");
        foreach (var type in new[] { "mousePressed", "mouseReleased" })
        {
            await Call("Input.dispatchMouseEvent", new JsonObject
            {
                ["type"] = type,
                ["x"] = box.GetProperty("x").GetDouble(),
                ["y"] = box.GetProperty("y").GetDouble(),
                ["button"] = "left",
                ["clickCount"] = 1,
            });
        }
    }

    /// <summary>A real key press (down and up) sent to the focused element, e.g. "ArrowRight" (code 39) or "Enter" (13).</summary>
    public async Task PressAsync(string key, int keyCode)
    {
        var text = key == "Enter" ? "\r" : null;
        foreach (var type in new[] { text is null ? "rawKeyDown" : "keyDown", "keyUp" })
        {
            var parameters = new JsonObject { ["type"] = type, ["key"] = key, ["code"] = key, ["windowsVirtualKeyCode"] = keyCode };
            if (text is not null && type == "keyDown") parameters["text"] = text;
            await Call("Input.dispatchKeyEvent", parameters);
        }
    }

    /// <summary>Emulates a phone-sized viewport (CSS pixels, device scale 1, mobile meta viewport honoured).</summary>
    public Task SetViewportAsync(int width, int height) =>
        Call("Emulation.setDeviceMetricsOverride", new JsonObject
        {
            ["width"] = width,
            ["height"] = height,
            ["deviceScaleFactor"] = 1,
            ["mobile"] = true,
        });

    public async Task<byte[]> ScreenshotPngAsync()
    {
        var shot = await Call("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        return Convert.FromBase64String(shot.GetProperty("data").GetString()!);
    }

    public string Log => string.Join('\n', DevTools.PageLog);

    public async ValueTask DisposeAsync()
    {
        try { await DevTools.CallAsync("Target.closeTarget", new JsonObject { ["targetId"] = _targetId }); }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException) { /* browser already gone */ }
    }
}
