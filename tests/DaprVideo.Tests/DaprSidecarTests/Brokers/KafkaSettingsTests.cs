using DaprVideo.Tests.DaprSidecar.Brokers;

namespace DaprVideo.Tests.DaprSidecarTests.Brokers;

public sealed class KafkaSettingsTests
{
    private static KafkaSettings Parse(params (string Key, string Value)[] md) =>
        KafkaSettings.Parse(md.ToDictionary(kv => kv.Key, kv => kv.Value), "inference");

    [Fact]
    public void Defaults_follow_the_component_and_the_group_is_the_app_id()
    {
        var s = Parse(("brokers", "localhost:9092"), ("authType", "none"));
        Assert.Equal("inference", s.ConsumerGroup);
        Assert.True(s.ConsumeRetryEnabled);
        Assert.False(s.InitialOffsetOldest);
        Assert.Equal(KafkaSettings.SaramaDefaultMaxMessageBytes, s.EffectiveMaxMessageBytes);
        Assert.Equal("range", s.RebalanceStrategy);
        Assert.Equal(TimeSpan.FromSeconds(5), s.BackOff.Duration);
        Assert.Equal(-1, s.BackOff.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(10), s.SessionTimeout);
    }

    [Fact]
    public void Missing_brokers_or_authType_fail_init_with_the_components_text()
    {
        Assert.Equal("kafka error: missing 'brokers' attribute",
            Assert.Throws<InvalidDataException>(() => Parse(("authType", "none"))).Message);
        Assert.Equal("kafka error: 'authType' attribute was missing or empty",
            Assert.Throws<InvalidDataException>(() => Parse(("brokers", "localhost:9092"))).Message);
        Assert.Equal("kafka error: invalid initialOffset: latest",
            Assert.Throws<InvalidDataException>(() => Parse(("brokers", "b"), ("authType", "none"), ("initialOffset", "latest"))).Message);
    }

    [Fact]
    public void BackOff_metadata_sets_the_message_retry_and_consumeRetryInterval_is_milliseconds()
    {
        var s = Parse(("brokers", "b"), ("authType", "none"), ("backOffDuration", "200"), ("backOffMaxRetries", "3"),
            ("consumeRetryInterval", "250"), ("consumerGroup", "inference-workers"), ("sessionTimeout", "6"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), s.BackOff.Duration);
        Assert.Equal(3, s.BackOff.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(250), s.ConsumeRetryInterval);
        Assert.Equal("inference-workers", s.ConsumerGroup);
        Assert.Equal(TimeSpan.FromSeconds(6), s.SessionTimeout); // kit metadata: a bare integer is seconds
        Assert.Equal(TimeSpan.FromSeconds(2), Parse(("brokers", "b"), ("authType", "none"), ("backOffDuration", "2s")).BackOff.Duration);
        var error = Assert.Throws<InvalidDataException>(() => Parse(("brokers", "b"), ("authType", "none"), ("backOffPolicy", "linear")));
        Assert.Contains("unexpected back off policy type: linear", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_rebalance_strategy_falls_back_to_range_with_a_warning()
    {
        var s = Parse(("brokers", "b"), ("authType", "none"), ("consumerGroupRebalanceStrategy", "fair"));
        Assert.Equal("range", s.RebalanceStrategy);
        Assert.Contains("Invalid consumer group rebalance strategy: fair. Using default strategy: 'range'", s.Warnings);
    }

    [Fact]
    public void The_hash_partitioner_is_saramas_fnv1a()
    {
        // FNV-1a 32: "" = 0x811c9dc5, "a" = 0xe40c292c, "foobar" = 0xbf9cf968; int32(hash) % n, negated when negative.
        Assert.Equal(2, SaramaPartitioner.ForKey(""u8, 7));
        Assert.Equal(6, SaramaPartitioner.ForKey("a"u8, 7));
        Assert.Equal(4, SaramaPartitioner.ForKey("foobar"u8, 7));
        Assert.Equal(5, SaramaPartitioner.ForKey("cam-1"u8, 7));
        Assert.Equal(0, SaramaPartitioner.ForKey("cam-2"u8, 7));
        Assert.Equal("partition number 3 is out of range, topic has 2 partitions",
            Assert.Throws<InvalidOperationException>(() => SaramaPartitioner.Choose(null, 3, 2)).Message);
    }
}
