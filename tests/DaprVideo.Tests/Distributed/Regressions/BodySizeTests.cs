using System.Diagnostics;
using Dapr.Client;
using DaprVideo.Core.Streams;
using DaprVideo.DaprAdapters;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.DaprSidecar.Runtime;

namespace DaprVideo.Tests.Distributed.Regressions;

/// <summary>
/// An object through the S3 binding is one gRPC message, and daprd caps messages both ways at its max body size
/// (dapr pkg/api/grpc/server.go). Real 3 s 1080p H.264 chunks, cut by ffmpeg, through the limit dapr.yaml sets
/// and through daprd's 4Mi default (what the CLI gives when the run file only has the removed daprHTTPMaxRequestSize).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class BodySizeTests : IDisposable
{
    private readonly TempDirectory _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>3 s of 1080p25 noise-rich testsrc2 at a constant <paramref name="mbps"/> as MPEG-TS (what Ingest stores).</summary>
    private async Task<byte[]> ChunkAsync(int mbps)
    {
        var path = _tmp.File($"chunk-{mbps}.ts");
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25:duration=3,noise=alls=40:allf=t",
                     "-c:v", "libx264", "-preset", "ultrafast", "-b:v", $"{mbps}M", "-minrate", $"{mbps}M", "-maxrate", $"{mbps}M",
                     "-bufsize", $"{mbps}M", "-x264-params", "nal-hrd=cbr", "-f", "mpegts", "-y", path })
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, err);
        return await File.ReadAllBytesAsync(path);
    }

    private static async Task<(DaprSidecarStandIn, DaprClient, DaprObjectStore)> StartAsync(long maxBodyBytes)
    {
        var sidecar = await DaprSidecarStandIn.StartAsync(SidecarOptions.WithObjectStore(new InMemoryObjectBackend()) with { MaxBodyBytes = checked((int)maxBodyBytes) });
        // The services' own client allows far more than daprd (DaprOptions.MaxGrpcMessageBytes): daprd is the limit.
        var client = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint)
            .UseGrpcChannelOptions(new Grpc.Net.Client.GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20, MaxSendMessageSize = 64 << 20 }).Build();
        return (sidecar, client, new DaprObjectStore(client, new DaprOptions()));
    }

    [Fact]
    public async Task A_3s_1080p_8Mbps_chunk_round_trips_under_the_run_files_limit()
    {
        var chunk = await ChunkAsync(8);
        Assert.InRange(chunk.Length, 2_500_000, 4_000_000);
        var limit = DaprRunFile.Load(RepoPaths.Root).App("ingest").MaxBodyBytes;
        var (sidecar, client, store) = await StartAsync(limit);
        await using var _ = sidecar;
        using var __ = client;

        var key = ObjectKeys.Chunk(StreamId.Parse("hd"), 0);
        await store.PutAsync(key, chunk);
        Assert.Equal(chunk, await store.GetAsync(key));
    }

    [Fact]
    public async Task A_chunk_over_daprds_default_limit_fails_with_an_error_naming_the_setting()
    {
        var chunk = await ChunkAsync(12); // 3 s at 12 Mbps: about 4.5 MB, over 4Mi
        Assert.True(chunk.Length > 4 << 20, $"{chunk.Length} bytes");
        var (sidecar, client, store) = await StartAsync(4 << 20);
        await using var _ = sidecar;
        using var __ = client;

        var e = await Assert.ThrowsAsync<IOException>(() => store.PutAsync(ObjectKeys.Chunk(StreamId.Parse("hd"), 0), chunk));
        Assert.Contains("maxBodySize", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{chunk.Length} bytes", e.Message, StringComparison.Ordinal);
        Assert.Empty(sidecar.Bindings["objectstore"].Operations);
    }
}
