using DaprVideo.Tests.DaprSidecar.Resiliency;

namespace DaprVideo.Tests.DaprSidecarTests.Resiliency;

/// <summary>Builds small Resiliency resources for the tests.</summary>
internal static class PolicyYaml
{
    /// <summary>A Resiliency resource whose spec is <paramref name="specBody"/> (indented under <c>spec:</c> by two spaces).</summary>
    public static string Resource(string specBody, string name = "test") =>
        $"apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: {name}\nspec:\n" +
        string.Join('\n', specBody.Trim('\n').Split('\n').Select(l => "  " + l)) + "\n";

    /// <summary>One component "store" with the given outbound layers.</summary>
    public static ResiliencyPolicy Outbound(PolicyClock clock, string? timeout = null, string? retry = null, string? breaker = null, int seed = 7)
    {
        var policies = "policies:\n";
        var target = "";
        if (timeout is not null) { policies += $"  timeouts:\n    t: {timeout}\n"; target += "timeout: t\n"; }
        if (retry is not null) { policies += "  retries:\n    r:\n" + Indent(retry, 6); target += "retry: r\n"; }
        if (breaker is not null) { policies += "  circuitBreakers:\n    cb:\n" + Indent(breaker, 6); target += "circuitBreaker: cb\n"; }
        var spec = policies + "targets:\n  components:\n    store:\n      outbound:\n" + Indent(target, 8);
        var policy = ResiliencySpec.Parse([Resource(spec)], clock.Time, jitterSeed: seed).ComponentOutbound("store")
            ?? throw new InvalidOperationException("no policy");
        clock.Watch(policy);
        return policy;
    }

    private static string Indent(string lines, int by) =>
        string.Concat(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => new string(' ', by) + l.Trim() + "\n"));
}
