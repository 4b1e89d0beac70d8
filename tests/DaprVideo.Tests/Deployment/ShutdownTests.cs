namespace DaprVideo.Tests.Deployment;

/// <summary>
/// Stopping a pipeline pod loses no work it could have finished: its sidecar keeps the Dapr API up while
/// the app still stops (daprd otherwise closes it at SIGTERM), and the kubelet does not kill either
/// container before its budget has run out. See <see cref="ShutdownBudget"/> for the order of events.
/// </summary>
public sealed class ShutdownTests
{
    /// <summary>Inference needs this long to finish a chunk it is working on (DESIGN: ~30 s).</summary>
    private const double ChunkInFlightSeconds = 30;

    public static TheoryData<string> Deployables() => [.. Kustomize.Deployables()];

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Sidecars_block_shutdown_while_the_app_stops(string directory)
    {
        var rendered = Rendered.Of(directory);
        foreach (var app in Conventions.DaprApps)
        {
            var budget = ShutdownBudget.Of(rendered.DaprApp(app.Id));
            var where = $"{directory}: {app.Id}";
            Assert.True(budget.BlockSeconds is > 0, $"{where}: no dapr.io/block-shutdown-duration, so daprd closes its API at SIGTERM");
            Assert.True(budget.SidecarCloseSeconds is > 0, $"{where}: no dapr.io/graceful-shutdown-seconds");
            Assert.True(budget.AppStopSeconds > 0, $"{where}: {ShutdownBudget.ShutdownTimeoutVariable} is not positive");
            Assert.True(budget.BlockSeconds >= budget.PreStopSeconds + budget.AppStopSeconds,
                $"{where}: the sidecar's API is kept up {budget.BlockSeconds} s, but the app may still be stopping until " +
                $"preStop {budget.PreStopSeconds} + stop {budget.AppStopSeconds} s");
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Grace_period_covers_the_app_and_the_sidecar(string directory)
    {
        var rendered = Rendered.Of(directory);
        foreach (var app in Conventions.DaprApps)
        {
            var b = ShutdownBudget.Of(rendered.DaprApp(app.Id));
            var where = $"{directory}: {app.Id}";
            Assert.True(b.GracePeriodSeconds > b.PreStopSeconds + b.AppStopSeconds,
                $"{where}: terminationGracePeriodSeconds {b.GracePeriodSeconds} does not cover preStop {b.PreStopSeconds} + app stop {b.AppStopSeconds}");
            // The block can start only once daprd has drained the deliveries in flight, which the preStop bounds.
            var sidecar = b.PreStopSeconds + (b.BlockSeconds ?? 0) + (b.SidecarCloseSeconds ?? 0);
            Assert.True(b.GracePeriodSeconds >= sidecar,
                $"{where}: terminationGracePeriodSeconds {b.GracePeriodSeconds} < preStop + block + sidecar close = {sidecar}: daprd is killed mid-close");
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Inference_finishes_a_chunk_in_flight_before_it_is_told_to_stop(string directory)
    {
        // ChunkProcessingGate lets its chunks run from the pod's deletion through the preStop and, after SIGTERM, through
        // the drain (SHUTDOWN_TIMEOUT less a quarter, at most 5 s); only then are they cancelled and handed back.
        var budget = ShutdownBudget.Of(Rendered.Of(directory).DaprApp(Conventions.Inference.Id));
        var drain = DaprVideo.Inference.InferenceSettings.DrainWithin(TimeSpan.FromSeconds(budget.AppStopSeconds)).TotalSeconds;
        Assert.True(budget.PreStopSeconds + drain >= ChunkInFlightSeconds,
            $"{directory}: inference gives a chunk in flight preStop {budget.PreStopSeconds} + drain {drain} s, less than {ChunkInFlightSeconds} s");
    }

    [Fact]
    public void The_README_table_is_the_base_manifests_budget()
    {
        var rendered = Rendered.Of("overlays/redis");
        var readme = File.ReadAllLines(Path.Combine(RepoPaths.Root, "k8s", "README.md"));
        foreach (var app in Conventions.PipelineApps)
        {
            var b = ShutdownBudget.Of(rendered.DaprApp(app.Id));
            var row = readme.SingleOrDefault(l => l.StartsWith($"| {app.Id} ", StringComparison.Ordinal));
            Assert.True(row is not null, $"k8s/README.md has no shutdown row for {app.Id}");
            var cells = row.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            string N(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal([app.Id, N(b.PreStopSeconds), N(b.AppStopSeconds), N(b.BlockSeconds ?? 0), N(b.SidecarCloseSeconds ?? 0)], cells[..5]);
            Assert.StartsWith(N(b.GracePeriodSeconds) + " ", cells[5], StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("40s", 40)]
    [InlineData("1m30s", 90)]
    [InlineData("1500ms", 1.5)]
    [InlineData("2h", 7200)]
    public void Go_durations_are_read_like_daprd_reads_them(string text, double seconds) =>
        Assert.Equal(seconds, ShutdownBudget.GoDurationSeconds(text), 6);
}
