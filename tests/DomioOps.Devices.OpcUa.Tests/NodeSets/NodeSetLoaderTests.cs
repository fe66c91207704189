using DomioOps.Devices.OpcUa.NodeSets;
using DomioOps.Devices.OpcUa.Server;

namespace DomioOps.Devices.OpcUa.Tests.NodeSets;

/// <summary>The NodeSet2 importer against the published OPC Foundation companion models and against broken files.</summary>
public sealed class NodeSetLoaderTests
{
    private const string Header = """
        <?xml version="1.0" encoding="utf-8"?>
        <UANodeSet xmlns="http://opcfoundation.org/UA/2011/03/UANodeSet.xsd" xmlns:uax="http://opcfoundation.org/UA/2008/02/Types.xsd">
          <NamespaceUris><Uri>http://example.com/Test/</Uri></NamespaceUris>
          <Models><Model ModelUri="http://example.com/Test/" Version="1.0"><RequiredModel ModelUri="http://opcfoundation.org/UA/" /></Model></Models>
          <Aliases><Alias Alias="HasComponent">i=47</Alias><Alias Alias="Organizes">i=35</Alias><Alias Alias="HasTypeDefinition">i=40</Alias><Alias Alias="HasInterface">i=17603</Alias><Alias Alias="Int32">i=6</Alias></Aliases>

        """;

    private static NodeSetImport LoadText(AddressSpace space, string xml) =>
        new NodeSetLoader(space).Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(xml)), "test.xml");

    [Fact]
    public void LoadWoodworking_CompanionModels_AllImportedInDependencyOrder()
    {
        AddressSpace space = new("urn:test");

        var imports = CompanionSpecifications.LoadWoodworking(space);

        Assert.Equal(
            [CompanionSpecifications.DiUri, CompanionSpecifications.IaUri, CompanionSpecifications.MachineryUri, CompanionSpecifications.Isa95JobControlUri, CompanionSpecifications.MachineryJobsUri, CompanionSpecifications.WoodworkingUri],
            imports.Select(i => i.ModelUris.Single()));
        Assert.All(imports, i => Assert.True(i.NodesAdded > 0));
        Assert.Contains(CompanionSpecifications.WoodworkingUri, space.NamespaceUris);
        Assert.True(space.HasModel(CompanionSpecifications.WoodworkingUri));
        var machineType = Assert.IsType<TypeNode>(space.Find(space.NodeIdOf(CompanionSpecifications.WoodworkingUri, CompanionSpecifications.WwMachineTypeId)));
        Assert.Equal("WwMachineType", machineType.BrowseName.Name);
        Assert.Equal(NodeClass.ObjectType, machineType.NodeClass);

        // DI's DeviceSet and Machinery's Machines hang below the Objects folder through the files' inverse references.
        var objects = space.Find(WellKnownNodes.ObjectsFolder)!;
        string[] below = [.. space.Children(objects).Select(n => n.BrowseName.Name!)];
        Assert.Contains("DeviceSet", below);
        Assert.Contains("Machines", below);

        // A second call loads nothing: every model is there.
        Assert.Empty(CompanionSpecifications.LoadWoodworking(space));
    }

    [Fact]
    public void LoadWoodworking_EnumerationValues_DecodedAsEnumValueTypes()
    {
        AddressSpace space = new("urn:test");
        CompanionSpecifications.LoadWoodworking(space);
        var stateEnum = ((VariableNode)space.FindByBrowsePath(space.NodeIdOf(CompanionSpecifications.WoodworkingUri, CompanionSpecifications.WwMachineTypeId), "State/Machine/Overview/CurrentState")!).DataType;

        Assert.True(space.IsSubtypeOf(stateEnum, WellKnownNodes.Enumeration));
        var enumValues = space.VariableAt(stateEnum, "EnumValues");
        var values = Assert.IsType<ExtensionObject[]>(enumValues.Value.Value.Value);
        EnumValueType[] decoded = [.. values.Select(v => Assert.IsType<EnumValueType>(v.Body))];
        Assert.Contains(decoded, v => v.DisplayName.Text == "WORKING" && v.Value == 3);
        Assert.All(values, v => Assert.Equal(new NodeId(0, 8251u), v.TypeId));
    }

    [Fact]
    public void AddWoodworkingMachine_MandatoryOnly_HasDocumentedStructure()
    {
        AddressSpace space = new("urn:test");
        CompanionSpecifications.LoadWoodworking(space);
        var ns = space.RegisterNamespace("urn:test:machines");

        var machine = CompanionSpecifications.AddWoodworkingMachine(space, new NodeId(ns, "Router1"), "Router1");

        var state = space.VariableAt(machine.NodeId, "State/Machine/Overview/CurrentState");
        var mode = space.VariableAt(machine.NodeId, "State/Machine/Overview/CurrentMode");
        Assert.Equal(new NodeId(ns, "Router1/State/Machine/Overview/CurrentState"), state.NodeId);
        Assert.Equal(new Variant(0), state.Value.Value);
        Assert.Equal(new Variant(0), mode.Value.Value);
        Assert.Equal("WwUnitStateEnumeration", space.Find(state.DataType)!.BrowseName.Name);
        foreach (var property in new[] { "Manufacturer", "SerialNumber", "ProductInstanceUri", "YearOfConstruction", "Model", "DeviceClass" })
        {
            Assert.NotNull(space.FindByBrowsePath(machine.NodeId, "Identification/" + property));
        }

        // Flags and Values are Optional in OPC 40550-1; not asked for, not there.
        Assert.Null(space.FindByBrowsePath(machine.NodeId, "State/Machine/Flags"));
        Assert.Null(space.FindByBrowsePath(machine.NodeId, "State/Machine/Values"));
        Assert.Null(space.FindByBrowsePath(machine.NodeId, "Identification/AssetId"));
        Assert.Contains(machine.References, r => r.ReferenceTypeId == WellKnownNodes.HasTypeDefinition && r.TargetId == space.NodeIdOf(CompanionSpecifications.WoodworkingUri, 2));
        Assert.Contains(state.References, r => r.ReferenceTypeId == WellKnownNodes.HasTypeDefinition && r.TargetId == WellKnownNodes.BaseDataVariableType);
    }

    [Fact]
    public void AddWoodworkingMachine_OptionalStateNodes_FlagsAndValuesCreated()
    {
        AddressSpace space = new("urn:test");
        CompanionSpecifications.LoadWoodworking(space);
        var ns = space.RegisterNamespace("urn:test:machines");

        var machine = CompanionSpecifications.AddWoodworkingMachine(
            space,
            new NodeId(ns, "Router1"),
            "Router1",
            path => path.StartsWith("State/Machine/", StringComparison.Ordinal) && path.Count(c => c == '/') <= 3 || path == "MachineryBuildingBlocks");

        Assert.Equal(new Variant(false), space.VariableAt(machine.NodeId, "State/Machine/Flags/MachineOn").Value.Value);
        Assert.Equal(new Variant(false), space.VariableAt(machine.NodeId, "State/Machine/Flags/Emergency").Value.Value);
        var piecesOut = space.VariableAt(machine.NodeId, "State/Machine/Values/AbsolutePiecesOut");
        Assert.Equal(new Variant(0UL), piecesOut.Value.Value);
        Assert.Null(space.FindByBrowsePath(machine.NodeId, "State/Machine/Values/AbsolutePiecesOut/EURange"));

        // Identification is one node, referenced from the machine and from MachineryBuildingBlocks (HasAddIn).
        Assert.Same(space.FindByBrowsePath(machine.NodeId, "Identification"), space.FindByBrowsePath(machine.NodeId, "MachineryBuildingBlocks/Identification"));
    }

    [Fact]
    public void Load_MalformedXml_NamesFileAndLine()
    {
        var e = Assert.Throws<NodeSetException>(() => LoadText(new AddressSpace("urn:test"), Header + "<UAObject NodeId=\"ns=1;i=1\"\n</UANodeSet>"));

        Assert.StartsWith("test.xml: malformed XML at line 7, position 1:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownAlias_NamesAliasAndLine()
    {
        AddressSpace space = new("urn:test");
        var xml = Header + """
              <UAVariable NodeId="ns=1;i=1" BrowseName="1:Speed" DataType="NoSuchType"><DisplayName>Speed</DisplayName></UAVariable>
            </UANodeSet>
            """;

        var e = Assert.Throws<NodeSetException>(() => LoadText(space, xml));

        Assert.Equal("test.xml: line 6: 'NoSuchType' is neither a NodeId nor one of the file's aliases.", e.Message);
        Assert.DoesNotContain("http://example.com/Test/", space.NamespaceUris);
    }

    [Fact]
    public void Load_MissingRequiredModel_NamesTheModel()
    {
        AddressSpace space = new("urn:test");
        using var woodworking = CompanionSpecifications.Open("Opc.Ua.Woodworking.NodeSet2.xml");

        var e = Assert.Throws<NodeSetException>(() => new NodeSetLoader(space).Load(woodworking, "Opc.Ua.Woodworking.NodeSet2.xml"));

        Assert.Equal(CompanionSpecifications.DiUri, e.MissingModelUri);
        Assert.Equal(
            "Opc.Ua.Woodworking.NodeSet2.xml: model http://opcfoundation.org/UA/Woodworking/ requires model http://opcfoundation.org/UA/DI/ (version 1.04.0), which is not loaded; load its NodeSet2 file first.",
            e.Message);
        Assert.Null(space.Find(new NodeId(2, 2u)));
    }

    [Fact]
    public void Load_SameFileTwice_RefusedAsAlreadyLoaded()
    {
        AddressSpace space = new("urn:test");
        CompanionSpecifications.Load(space, CompanionSpecifications.DiUri);
        using var di = CompanionSpecifications.Open("Opc.Ua.Di.NodeSet2.xml");

        var e = Assert.Throws<NodeSetException>(() => new NodeSetLoader(space).Load(di, "Opc.Ua.Di.NodeSet2.xml"));

        Assert.Equal("Opc.Ua.Di.NodeSet2.xml: model http://opcfoundation.org/UA/DI/ is already loaded in this address space.", e.Message);
    }

    [Fact]
    public void Load_ValuesAndReferences_MappedToServerNamespaces()
    {
        AddressSpace space = new("urn:test");
        space.RegisterNamespace("urn:other");
        var xml = Header + """
              <UAObject NodeId="ns=1;i=1" BrowseName="1:Saw" EventNotifier="1">
                <DisplayName>Saw</DisplayName>
                <References><Reference ReferenceType="Organizes" IsForward="false">i=85</Reference><Reference ReferenceType="HasComponent">ns=1;i=2</Reference></References>
              </UAObject>
              <UAVariable NodeId="ns=1;i=2" BrowseName="1:Speeds" DataType="Int32" ValueRank="1" AccessLevel="3">
                <DisplayName>Speeds</DisplayName>
                <Value><uax:ListOfInt32><uax:Int32>1</uax:Int32><uax:Int32>-2</uax:Int32></uax:ListOfInt32></Value>
              </UAVariable>
              <UAVariable NodeId="ns=1;i=3" BrowseName="1:Label" ParentNodeId="ns=1;i=1" DataType="i=21">
                <DisplayName>Label</DisplayName>
                <References><Reference ReferenceType="HasComponent" IsForward="false">ns=1;i=1</Reference><Reference ReferenceType="HasTypeDefinition">i=63</Reference></References>
                <Value><uax:LocalizedText><uax:Locale>en</uax:Locale><uax:Text>Panel saw</uax:Text></uax:LocalizedText></Value>
              </UAVariable>
              <UAVariable NodeId="ns=1;i=4" BrowseName="1:Blob" DataType="i=22">
                <DisplayName>Blob</DisplayName>
                <References><Reference ReferenceType="HasComponent" IsForward="false">ns=1;i=1</Reference><Reference ReferenceType="HasInterface">i=99999</Reference></References>
                <Value><uax:ExtensionObject><uax:TypeId><uax:Identifier>i=12345</uax:Identifier></uax:TypeId><uax:Body><uax:Unknown /></uax:Body></uax:ExtensionObject></Value>
              </UAVariable>
            </UANodeSet>
            """;

        var import = LoadText(space, xml);

        Assert.Equal(3, space.NamespaceUris.ToList().IndexOf("http://example.com/Test/"));
        Assert.Equal(["http://example.com/Test/"], import.ModelUris);
        Assert.Equal((4, 1, 1), (import.NodesAdded, import.UnresolvedReferences, import.SkippedValues));
        var saw = Assert.IsType<ObjectNode>(space.FindByBrowsePath(WellKnownNodes.ObjectsFolder, "3:Saw"));
        Assert.Equal(1, saw.EventNotifier);
        var speeds = space.VariableAt(saw.NodeId, "Speeds");
        Assert.Equal(new NodeId(3, 2u), speeds.NodeId);
        Assert.Equal(new int[] { 1, -2 }, speeds.Value.Value.Value);
        Assert.True(speeds.Writable);
        Assert.Equal(1, speeds.ValueRank);
        Assert.Equal(new LocalizedText("en", "Panel saw"), space.VariableAt(saw.NodeId, "Label").Value.Value.Value);
        Assert.True(space.VariableAt(saw.NodeId, "Blob").Value.Value.IsNull);

        // The reference is held once although both ends list it.
        Assert.Single(saw.References, r => r.TargetId == new NodeId(3, 3u));
    }

    [Fact]
    public void Import_OneParsedNodeSetIntoTwoSpaces_EachMappedToItsOwnNamespaces()
    {
        var xml = Header + """
              <UAObject NodeId="ns=1;i=1" BrowseName="1:Saw">
                <DisplayName>Saw</DisplayName>
                <References><Reference ReferenceType="Organizes" IsForward="false">i=85</Reference></References>
              </UAObject>
              <UAVariable NodeId="ns=1;i=2" BrowseName="1:Kind" DataType="i=17">
                <DisplayName>Kind</DisplayName>
                <References><Reference ReferenceType="HasComponent" IsForward="false">ns=1;i=1</Reference></References>
                <Value><uax:NodeId><uax:Identifier>ns=1;i=1</uax:Identifier></uax:NodeId></Value>
              </UAVariable>
              <UAVariable NodeId="ns=1;i=3" BrowseName="1:Args" DataType="i=296" ValueRank="1">
                <DisplayName>Args</DisplayName>
                <References><Reference ReferenceType="HasComponent" IsForward="false">ns=1;i=1</Reference></References>
                <Value><uax:ListOfExtensionObject><uax:ExtensionObject><uax:TypeId><uax:Identifier>i=297</uax:Identifier></uax:TypeId>
                  <uax:Body><uax:Argument><uax:Name>Blade</uax:Name><uax:DataType><uax:Identifier>ns=1;i=1</uax:Identifier></uax:DataType><uax:ValueRank>-1</uax:ValueRank></uax:Argument></uax:Body>
                </uax:ExtensionObject></uax:ListOfExtensionObject></Value>
              </UAVariable>
            </UANodeSet>
            """;
        var parsed = NodeSet.Parse(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(xml)), "test.xml");
        AddressSpace plain = new("urn:a");
        AddressSpace shifted = new("urn:b");
        shifted.RegisterNamespace("urn:other");

        new NodeSetLoader(plain).Import(parsed);
        new NodeSetLoader(shifted).Import(parsed);

        foreach ((var space, var ns) in new[] { (plain, (ushort)2), (shifted, (ushort)3) })
        {
            var saw = Assert.IsType<ObjectNode>(space.FindByBrowsePath(WellKnownNodes.ObjectsFolder, $"{ns}:Saw"));
            Assert.Equal(new NodeId(ns, 1u), saw.NodeId);
            Assert.Equal(new NodeId(ns, 1u), space.VariableAt(saw.NodeId, "Kind").Value.Value.Value);
            var argument = Assert.Single(Assert.IsType<ExtensionObject[]>(space.VariableAt(saw.NodeId, "Args").Value.Value.Value));
            Assert.Equal(new NodeId(ns, 1u), Assert.IsType<Argument>(argument.Body).DataType);
        }

        // Each address space has nodes of its own: a value set in one is not seen in the other.
        plain.VariableAt(new NodeId(2, 1u), "Kind").SetValue(new Variant(new NodeId(0, 85u)), DateTime.UtcNow);
        Assert.Equal(new NodeId(3, 1u), shifted.VariableAt(new NodeId(3, 1u), "Kind").Value.Value.Value);
    }

    [Fact]
    public void Parsed_EmbeddedFile_ParsedOncePerProcess()
    {
        var first = CompanionSpecifications.Parsed("Opc.Ua.Woodworking.NodeSet2.xml");

        Assert.Same(first, CompanionSpecifications.Parsed("Opc.Ua.Woodworking.NodeSet2.xml"));
        Assert.Equal([CompanionSpecifications.WoodworkingUri], first.Models.Select(m => m.Uri));
        Assert.Throws<ArgumentException>(() => CompanionSpecifications.Parsed("nope.xml"));
    }

    [Fact]
    public async Task LoadWoodworking_ManyAddressSpacesAtOnce_EachComplete()
    {
        AddressSpace[] spaces = [.. Enumerable.Range(0, 8).Select(i => new AddressSpace($"urn:test:{i}"))];

        var imports = await Task.WhenAll(spaces.Select(s => Task.Run(() => CompanionSpecifications.LoadWoodworking(s))));

        Assert.All(imports, i => Assert.Equal(imports[0].Select(x => (x.NodesAdded, x.UnresolvedReferences)), i.Select(x => (x.NodesAdded, x.UnresolvedReferences))));
        Assert.All(spaces, s => Assert.IsType<TypeNode>(s.Find(s.NodeIdOf(CompanionSpecifications.WoodworkingUri, CompanionSpecifications.WwMachineTypeId))));
    }
}
