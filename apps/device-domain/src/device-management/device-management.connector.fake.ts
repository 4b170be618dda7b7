import { type AssetRecord, type DeviceManagementConnector, DeviceManagementRejectedError, type DeviceState } from './device-management.connector';

interface Device extends AssetRecord {
  readonly assignedFor: string | null;
  readonly enrolled: boolean;
  readonly compliant: boolean;
}

/** Device management in memory, for service tests: the simulator's rules, with switches for refusals, non-compliance and returns it ignores. */
export class InMemoryDeviceManagement implements DeviceManagementConnector {
  readonly devices = new Map<string, Device>();
  refuse = false;
  nonCompliant = false;
  /** Asset management answers a return with success and leaves the asset assigned. */
  ignoreReturns = false;
  private next = 1;

  /** A device already in someone's hands (the one a replacement retires). */
  hand(assetTag: string, model: string, employeeId: string): void {
    this.devices.set(assetTag, { assetTag, serialNumber: `SN-${assetTag}`, model, status: 'assigned', assignedTo: employeeId, assignedFor: null, retiredReason: null, retiredFor: null, returnedFor: null, enrolled: true, compliant: true });
  }

  async assignForOrder(model: string, employeeId: string, orderRef: string): Promise<{ assetTag: string; serialNumber: string }> {
    if (this.refuse) throw new DeviceManagementRejectedError(`no ${model} for ${employeeId}`);
    const existing = [...this.devices.values()].find((d) => d.assignedFor === orderRef && d.status === 'assigned');
    if (existing) return existing;
    const assetTag = `AT-NEW-${this.next++}`;
    const device: Device = { assetTag, serialNumber: `SN-${assetTag}`, model, status: 'assigned', assignedTo: employeeId, assignedFor: orderRef, retiredReason: null, retiredFor: null, returnedFor: null, enrolled: false, compliant: false };
    this.devices.set(assetTag, device);
    return device;
  }

  async enrol(assetTag: string): Promise<void> {
    this.update(assetTag, { enrolled: true, compliant: !this.nonCompliant });
  }

  async readDevice(assetTag: string): Promise<DeviceState | null> {
    return this.devices.get(assetTag) ?? null;
  }

  async releaseForOrder(orderRef: string): Promise<{ assetTag: string } | null> {
    const device = [...this.devices.values()].find((d) => d.assignedFor === orderRef && d.status === 'assigned');
    if (!device) return null;
    this.update(device.assetTag, { status: 'in_stock', assignedTo: null, assignedFor: null, enrolled: false, compliant: false });
    return { assetTag: device.assetTag };
  }

  async readAsset(assetTag: string): Promise<AssetRecord | null> {
    return this.devices.get(assetTag) ?? null;
  }

  async retireAsset(assetTag: string, reason: string, orderRef: string): Promise<void> {
    if (this.refuse) throw new DeviceManagementRejectedError(`asset management refused to retire ${assetTag}`);
    if (this.devices.get(assetTag)?.status !== 'retired') this.update(assetTag, { status: 'retired', retiredReason: reason, retiredFor: orderRef });
  }

  async returnToService(assetTag: string, orderRef: string): Promise<void> {
    const device = this.devices.get(assetTag);
    if (device?.status === 'retired' && device.retiredFor === orderRef) this.update(assetTag, { status: 'assigned', retiredReason: null, retiredFor: null });
  }

  async assetsAssignedTo(employeeId: string): Promise<AssetRecord[]> {
    if (this.refuse) throw new DeviceManagementRejectedError(`asset management refused to list the assets of ${employeeId}`);
    return [...this.devices.values()].filter((d) => d.status === 'assigned' && d.assignedTo === employeeId).sort((a, b) => a.assetTag.localeCompare(b.assetTag));
  }

  async logReturned(assetTag: string, orderRef: string, employeeId: string): Promise<void> {
    if (this.refuse) throw new DeviceManagementRejectedError(`asset management refused to log ${assetTag} as returned`);
    const device = this.devices.get(assetTag);
    if (!this.ignoreReturns && device?.status === 'assigned' && device.assignedTo === employeeId) this.update(assetTag, { status: 'returned', returnedFor: orderRef });
  }

  async assignAgain(assetTag: string, orderRef: string, employeeId: string): Promise<void> {
    if (this.refuse) throw new DeviceManagementRejectedError(`asset management refused to assign ${assetTag} again`);
    const device = this.devices.get(assetTag);
    if (device?.status === 'returned' && device.returnedFor === orderRef) this.update(assetTag, { status: 'assigned', assignedTo: employeeId, returnedFor: null });
  }

  private update(assetTag: string, change: Partial<Device>): void {
    const device = this.devices.get(assetTag);
    if (device) this.devices.set(assetTag, { ...device, ...change });
  }
}
