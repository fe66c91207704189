namespace DomioOps.Devices.OpcUa.Server;

/// <summary>Well-known NodeIds of namespace 0 (OPC 10000-6 Annex A, NodeIds.csv) used by the server and the client.</summary>
public static class WellKnownNodes
{
    public static readonly NodeId RootFolder = new(0, 84u);
    public static readonly NodeId ObjectsFolder = new(0, 85u);
    public static readonly NodeId TypesFolder = new(0, 86u);
    public static readonly NodeId ViewsFolder = new(0, 87u);
    public static readonly NodeId Server = new(0, 2253u);
    public static readonly NodeId ServerArray = new(0, 2254u);
    public static readonly NodeId NamespaceArray = new(0, 2255u);
    public static readonly NodeId ServerStatus = new(0, 2256u);
    public static readonly NodeId ServerStatusState = new(0, 2259u);
    public static readonly NodeId ServerStatusCurrentTime = new(0, 2258u);
    public static readonly NodeId ServerCapabilities = new(0, 2268u);
    public static readonly NodeId OperationLimits = new(0, 11704u);
    public static readonly NodeId MaxNodesPerRead = new(0, 11705u);
    public static readonly NodeId MaxNodesPerWrite = new(0, 11707u);
    public static readonly NodeId MaxNodesPerMethodCall = new(0, 11709u);
    public static readonly NodeId MaxNodesPerBrowse = new(0, 11710u);
    public static readonly NodeId MaxNodesPerTranslateBrowsePathsToNodeIds = new(0, 11712u);
    public static readonly NodeId MaxMonitoredItemsPerCall = new(0, 11714u);
    public static readonly NodeId MaxNodesPerRegisterNodes = new(0, 11711u);
    public static readonly NodeId MaxSubscriptionsPerSession = new(0, 24098u);

    public static readonly NodeId References = new(0, 31u);
    public static readonly NodeId NonHierarchicalReferences = new(0, 32u);
    public static readonly NodeId HierarchicalReferences = new(0, 33u);
    public static readonly NodeId HasChild = new(0, 34u);
    public static readonly NodeId Organizes = new(0, 35u);
    public static readonly NodeId HasTypeDefinition = new(0, 40u);
    public static readonly NodeId Aggregates = new(0, 44u);
    public static readonly NodeId HasSubtype = new(0, 45u);
    public static readonly NodeId HasProperty = new(0, 46u);
    public static readonly NodeId HasComponent = new(0, 47u);
    public static readonly NodeId HasModellingRule = new(0, 37u);
    public static readonly NodeId HasEventSource = new(0, 36u);
    public static readonly NodeId HasNotifier = new(0, 48u);
    public static readonly NodeId HasOrderedComponent = new(0, 49u);
    public static readonly NodeId GeneratesEvent = new(0, 41u);
    public static readonly NodeId HasAddIn = new(0, 17604u);
    public static readonly NodeId HasInterface = new(0, 17603u);

    public static readonly NodeId ModellingRuleMandatory = new(0, 78u);
    public static readonly NodeId ModellingRuleOptional = new(0, 80u);
    public static readonly NodeId ModellingRuleExposesItsArray = new(0, 83u);
    public static readonly NodeId ModellingRuleOptionalPlaceholder = new(0, 11508u);
    public static readonly NodeId ModellingRuleMandatoryPlaceholder = new(0, 11510u);
    public static readonly NodeId ObjectTypesFolder = new(0, 88u);
    public static readonly NodeId VariableTypesFolder = new(0, 89u);
    public static readonly NodeId DataTypesFolder = new(0, 90u);
    public static readonly NodeId ReferenceTypesFolder = new(0, 91u);
    public static readonly NodeId BaseVariableType = new(0, 62u);
    public static readonly NodeId Enumeration = new(0, 29u);
    public static readonly NodeId Structure = new(0, 22u);
    public static readonly NodeId ModellingRuleType = new(0, 77u);

    public static readonly NodeId BaseObjectType = new(0, 58u);
    public static readonly NodeId FolderType = new(0, 61u);
    public static readonly NodeId BaseDataVariableType = new(0, 63u);
    public static readonly NodeId PropertyType = new(0, 68u);
    public static readonly NodeId ServerType = new(0, 2004u);
    public static readonly NodeId BaseDataType = new(0, 24u);
}
