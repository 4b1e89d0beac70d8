using DaprVideo.Tests.DaprSidecar.Brokers;
using DaprVideo.Tests.DaprSidecar.PubSub;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>A loaded pub/sub component of one sidecar: its broker client and its topic rules.</summary>
public sealed record PubSubComponent(string Name, IPubSubBroker Broker, TopicRules Rules);
