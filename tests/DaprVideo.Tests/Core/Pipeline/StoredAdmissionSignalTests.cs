using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Streams;
using DaprVideo.Embedded.Adapters;
using Microsoft.Extensions.Time.Testing;

namespace DaprVideo.Tests.Core.Pipeline;

/// <summary>Distributed admission: Ingest reads the load records Inference replicas store.</summary>
public class StoredAdmissionSignalTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static AnalysisLoad Load(string replica, bool overloaded, double ageSeconds = 1, double floor = 1) =>
        new(replica, overloaded ? floor : 5, 5, floor, overloaded ? 12 : 1, overloaded ? 0.3 : 0, overloaded, Now - TimeSpan.FromSeconds(ageSeconds));

    [Fact]
    public void No_record_admits()
    {
        Assert.Null(StoredAdmissionSignal.Judge([], Now));
    }

    [Fact]
    public void Every_fresh_replica_overloaded_refuses_with_the_floor()
    {
        var refusal = StoredAdmissionSignal.Judge([Load("a", true, floor: 2), Load("b", true, floor: 2)], Now);

        Assert.NotNull(refusal);
        Assert.Equal("Analysis is at its floor of 2 fps on every stream; this machine cannot take another camera.", refusal.Message);
        Assert.True(refusal.RetryAfter > TimeSpan.Zero);
    }

    [Fact]
    public void One_replica_with_room_admits()
    {
        Assert.Null(StoredAdmissionSignal.Judge([Load("a", true), Load("b", false)], Now));
    }

    [Fact]
    public void Stale_records_do_not_count()
    {
        // A replica that stopped refreshing is gone: its "overloaded" must not block cameras forever.
        Assert.Null(StoredAdmissionSignal.Judge([Load("gone", true, ageSeconds: 120)], Now));
        Assert.NotNull(StoredAdmissionSignal.Judge([Load("gone", false, ageSeconds: 120), Load("a", true)], Now));
    }

    [Fact]
    public async Task Reads_the_records_from_the_store_and_caches_the_answer_briefly()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        var time = new FakeTimeProvider(Now);
        var signal = new StoredAdmissionSignal(store, time);

        Assert.Null(await signal.CheckAsync());

        await store.PutAsync(ObjectKeys.InferenceLoad("host-1"), Load("host-1", true).ToJsonBytes());
        await store.PutAsync(ObjectKeys.LoadPrefix + "junk.json", "not json"u8.ToArray());
        Assert.Null(await signal.CheckAsync()); // the answer of a moment ago
        time.Advance(StoredAdmissionSignal.CacheFor);
        Assert.NotNull(await signal.CheckAsync());

        await store.PutAsync(ObjectKeys.InferenceLoad("host-2"), Load("host-2", false).ToJsonBytes());
        time.Advance(StoredAdmissionSignal.CacheFor);
        Assert.Null(await signal.CheckAsync());
    }

    [Fact]
    public async Task While_every_replica_is_degraded_new_streams_are_paced()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        var time = new FakeTimeProvider(Now);
        var signal = new StoredAdmissionSignal(store, time);
        var degraded = new AnalysisLoad("host-1", 2.5, 5, 1, 4, 0.1, false, Now);
        await store.PutAsync(ObjectKeys.InferenceLoad("host-1"), degraded.ToJsonBytes());

        Assert.Null(await signal.CheckAsync());
        var paced = await signal.CheckAsync();
        Assert.NotNull(paced);
        Assert.StartsWith("Analysis is degraded to 2.5 fps", paced.Message, StringComparison.Ordinal);

        // At its floor, even caught up (not overloaded), the replica shows no room.
        await store.PutAsync(ObjectKeys.InferenceLoad("host-1"), (degraded with { RateFps = 1 }).ToJsonBytes());
        time.Advance(StoredAdmissionSignal.CacheFor + TimeSpan.FromSeconds(15));
        var atFloor = await signal.CheckAsync();
        Assert.NotNull(atFloor);
        Assert.StartsWith("Analysis runs at its floor of 1 fps", atFloor.Message, StringComparison.Ordinal);

        // A replica at its full rate has room: no pacing.
        await store.PutAsync(ObjectKeys.InferenceLoad("host-2"), (degraded with { Replica = "host-2", RateFps = 5 }).ToJsonBytes());
        time.Advance(StoredAdmissionSignal.CacheFor);
        Assert.Null(await signal.CheckAsync());
        Assert.Null(await signal.CheckAsync());
    }

    [Fact]
    public void Load_records_round_trip()
    {
        var load = Load("host-1", true);

        Assert.Equal(load, AnalysisLoad.Parse(load.ToJsonBytes()));
        Assert.Throws<InvalidDataException>(() => AnalysisLoad.Parse("{}"u8));
        Assert.Throws<ArgumentException>(() => ObjectKeys.InferenceLoad("../x"));
    }
}
