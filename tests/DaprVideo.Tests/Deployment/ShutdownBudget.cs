using System.Globalization;
using System.Text.RegularExpressions;
using DaprVideo.Settings;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// How a Dapr app's pod stops, in seconds from its deletion, read from the rendered manifest.
/// The kubelet runs the app container's preStop, then SIGTERMs it; the injected daprd has no preStop and
/// gets SIGTERM at once. With <c>dapr.io/block-shutdown-duration</c> daprd stops delivering, keeps its API
/// up for the block (ended early when the app reports unhealthy), then closes within
/// <c>dapr.io/graceful-shutdown-seconds</c> (dapr/dapr pkg/runtime/runtime.go Run, pkg/runtime/config.go;
/// the injector passes both annotations as daprd flags: pkg/injector/patcher/sidecar_container.go).
/// Without the annotation daprd closes its API at SIGTERM.
/// </summary>
internal sealed partial record ShutdownBudget(
    double PreStopSeconds, double AppStopSeconds, double? BlockSeconds, int? SidecarCloseSeconds, int GracePeriodSeconds)
{
    /// <summary>SHUTDOWN_TIMEOUT's default: every host sets HostOptions.ShutdownTimeout from it.</summary>
    public static readonly double DefaultAppStopSeconds = SettingsCatalogue.ShutdownTimeout.Default;

    /// <summary>The pod's default terminationGracePeriodSeconds.</summary>
    public const int DefaultGracePeriodSeconds = 30;

    public static readonly string ShutdownTimeoutVariable = SettingsCatalogue.ShutdownTimeout.Name;

    /// <summary>The host's own variable; our hosts overwrite HostOptions.ShutdownTimeout from SHUTDOWN_TIMEOUT, so it would be ignored.</summary>
    public const string IgnoredDotnetVariable = "DOTNET_SHUTDOWNTIMEOUTSECONDS";

    public static ShutdownBudget Of(K8sObject workload)
    {
        var container = Rendered.MainContainer(workload);
        var annotations = workload.PodAnnotations;
        Assert.DoesNotContain(container["env"].Items, e => e["name"].Text == IgnoredDotnetVariable);
        var appStop = container["env"].Items.FirstOrDefault(e => e["name"].Text == ShutdownTimeoutVariable)?["value"].Text is { } text
            ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)
            : DefaultAppStopSeconds;
        return new ShutdownBudget(
            PreStopLength(container["lifecycle"]["preStop"]),
            appStop,
            annotations.TryGetValue("dapr.io/block-shutdown-duration", out var block) ? GoDurationSeconds(block) : null,
            annotations.TryGetValue("dapr.io/graceful-shutdown-seconds", out var close)
                ? int.Parse(close, NumberStyles.Integer, CultureInfo.InvariantCulture) : null,
            workload.PodSpec["terminationGracePeriodSeconds"].Integer ?? DefaultGracePeriodSeconds);
    }

    /// <summary>A preStop that only waits: <c>exec: sleep N</c> or the kubelet's <c>sleep: seconds: N</c>.</summary>
    private static double PreStopLength(Node preStop)
    {
        if (preStop["sleep"]["seconds"].Integer is { } seconds) return seconds;
        var command = preStop["exec"]["command"].Items.Select(i => i.Text).ToList();
        if (command is [var sleep, var n] && sleep is "sleep" or "/bin/sleep" or "/usr/bin/sleep")
            return double.Parse(n!, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.False(preStop.Exists, $"preStop {preStop} is not a plain sleep; its length cannot be budgeted");
        return 0;
    }

    /// <summary>Go's time.ParseDuration for the units a manifest would use (h, m, s, ms).</summary>
    internal static double GoDurationSeconds(string text)
    {
        var match = GoDuration().Match(text);
        Assert.True(match.Success, $"'{text}' is not a Go duration (e.g. 40s, 1m30s)");
        double seconds = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = UnitPart().Match(part.Value);
            var value = double.Parse(unit.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            seconds += unit.Groups["unit"].Value switch
            {
                "h" => value * 3600,
                "m" => value * 60,
                "s" => value,
                _ => value / 1000, // ms
            };
        }
        return seconds;
    }

    [GeneratedRegex(@"^(?<part>\d+(?:\.\d+)?(?:ms|h|m|s))+$")]
    private static partial Regex GoDuration();

    [GeneratedRegex(@"^(?<value>\d+(?:\.\d+)?)(?<unit>ms|h|m|s)$")]
    private static partial Regex UnitPart();
}
