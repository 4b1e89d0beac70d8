using DaprVideo.Tests.DaprSidecar.Brokers;

namespace DaprVideo.Tests.DaprSidecarTests.Brokers;

public sealed class RedisStreamsSettingsTests
{
    private static RedisStreamsSettings Parse(params (string Key, string Value)[] md) =>
        RedisStreamsSettings.Parse(md.ToDictionary(kv => kv.Key, kv => kv.Value), "inference");

    [Fact]
    public void Defaults_are_the_pubsub_ones_and_the_group_is_the_app_id()
    {
        var s = Parse(("redisHost", "redis:6379"));
        Assert.Equal(TimeSpan.FromSeconds(60), s.ProcessingTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), s.RedeliverInterval);
        Assert.Equal(100, s.QueueDepth);
        Assert.Equal(10, s.Concurrency);
        Assert.Equal("inference", s.ConsumerGroup);
        Assert.Equal(0, s.MaxLenApprox);
    }

    [Fact]
    public void RedeliverInterval_is_read_only_as_integer_milliseconds()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(300), Parse(("redeliverInterval", "300")).RedeliverInterval);
        // mapstructure:"-": duration strings are silently ignored and the 15 s default stays.
        Assert.Equal(TimeSpan.FromSeconds(15), Parse(("redeliverInterval", "300ms")).RedeliverInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), Parse(("redeliverInterval", "30s")).RedeliverInterval);
        Assert.Equal(TimeSpan.Zero, Parse(("redeliverInterval", "0")).RedeliverInterval);
        Assert.False(Parse(("redeliverInterval", "0")).RedeliveryEnabled);
    }

    [Fact]
    public void ProcessingTimeout_takes_go_durations_or_integer_milliseconds()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1500), Parse(("processingTimeout", "1500")).ProcessingTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), Parse(("processingTimeout", "2m")).ProcessingTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), Parse(("processingTimeout", "1.5s")).ProcessingTimeout);
        var error = Assert.Throws<InvalidDataException>(() => Parse(("processingTimeout", "soon")));
        Assert.Equal("redis client configuration error: decode failed. 1 error(s) decoding:\n\n* error decoding 'processingTimeout': invalid duration \"soon\"", error.Message);
    }

    [Fact]
    public void ConsumerID_names_the_group_and_numbers_must_parse()
    {
        Assert.Equal("playlist-readers", Parse(("consumerID", " playlist-readers ")).ConsumerGroup);
        Assert.Equal(7, Parse(("concurrency", "7")).Concurrency);
        Assert.Equal(1000, Parse(("maxLenApprox", "1000")).MaxLenApprox);
        var error = Assert.Throws<InvalidDataException>(() => Parse(("queueDepth", "-1"), ("concurrency", "many")));
        Assert.Contains("2 error(s) decoding", error.Message, StringComparison.Ordinal);
        Assert.Contains("* error decoding 'queueDepth': invalid uint \"-1\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_gets_the_port_from_redisPort_or_6379_and_an_empty_host_dials_localhost()
    {
        Assert.Equal("redis:6379", Parse(("redisHost", "redis")).Host);
        Assert.Equal("redis:6380", Parse(("redisHost", "redis"), ("redisPort", "6380")).Host);
        Assert.Equal("", Parse().Host);
        Assert.Equal("localhost:6379", Parse().Address);
        var error = Assert.Throws<InvalidDataException>(() => Parse(("redisHost", "redis:6379"), ("redisPort", "6380")));
        Assert.StartsWith("redis client configuration error: redis host \"redis:6379\" already contains port 6379", error.Message, StringComparison.Ordinal);
    }
}
