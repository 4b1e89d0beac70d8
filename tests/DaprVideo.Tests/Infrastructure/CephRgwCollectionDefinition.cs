namespace DaprVideo.Tests.Infrastructure;

/// <summary>
/// Every distributed-mode test joins this collection so one Ceph cluster serves the whole run:
/// <c>[Collection(CephRgwCollectionDefinition.Name)]</c> and take <see cref="CephRgwFixture"/> in the constructor.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CephRgwCollectionDefinition : ICollectionFixture<CephRgwFixture>
{
    public const string Name = "Ceph RGW";
}
